package dev.sluice.sim;

import java.util.Arrays;

/**
 * The attempts in flight, as parallel primitive arrays indexed by slot, with a free list: no
 * allocation per request once the arrays have grown. A slot holds one attempt; a retry takes a new
 * slot, so an attempt abandoned in the queue can stay there until a worker skips it. Each slot has
 * a generation, bumped when it is freed, so that stale events (a timeout for an attempt that has
 * already completed) are recognised and ignored. Not thread-safe.
 */
final class Requests {

  static final byte FREE = 0;
  static final byte QUEUED = 1;
  static final byte SERVICE = 2;
  /** In service, but the client has already seen a timeout. */
  static final byte SERVICE_TIMED_OUT = 3;
  /** Timed out in the queue; freed when a worker pops it. */
  static final byte ABANDONED = 4;
  static final byte WAITING_RETRY = 5;
  static final byte FAST_FAIL = 6;
  static final byte DECIDING = 7;

  int[] source = new int[1024];
  int[] client = new int[1024];
  int[] cost = new int[1024];
  int[] attempt = new int[1024];
  /** The virtual user that sent it (closed-loop sources). */
  int[] vu = new int[1024];
  /** Requests in flight at a peer gate right after it admitted this one, itself included. */
  int[] gateInflight = new int[1024];
  /** The permit an admitted attempt holds at the global concurrency level until its exchange ends; 0 for none. */
  long[] permit = new long[1024];
  int[] gen = new int[1024];
  long[] start = new long[1024];
  long[] admitted = new long[1024];
  long[] deadline = new long[1024];
  byte[] state = new byte[1024];
  private int[] free = new int[1024];
  private int freeCount;
  private int used;
  int live;

  int allocate() {
    int id;
    if (freeCount > 0) {
      id = free[--freeCount];
    } else {
      if (used == state.length) {
        grow();
      }
      id = used++;
    }
    live++;
    return id;
  }

  void release(int id) {
    state[id] = FREE;
    gen[id]++;
    if (freeCount == free.length) {
      free = Arrays.copyOf(free, free.length * 2);
    }
    free[freeCount++] = id;
    live--;
  }

  /** Returns how many slots hold the live attempt of an unfinished logical request. */
  long countActive() {
    long n = 0;
    for (int i = 0; i < used; i++) {
      byte s = state[i];
      if (s == QUEUED || s == SERVICE || s == WAITING_RETRY || s == FAST_FAIL) {
        n++;
      }
    }
    return n;
  }

  long handle(int id) {
    return ((long) gen[id] << 32) | id;
  }

  /** Returns the slot of {@code handle} if its generation is current, else -1. */
  int resolve(long handle) {
    int id = (int) handle;
    return gen[id] == (int) (handle >>> 32) ? id : -1;
  }

  private void grow() {
    int n = state.length * 2;
    source = Arrays.copyOf(source, n);
    client = Arrays.copyOf(client, n);
    cost = Arrays.copyOf(cost, n);
    attempt = Arrays.copyOf(attempt, n);
    vu = Arrays.copyOf(vu, n);
    gateInflight = Arrays.copyOf(gateInflight, n);
    permit = Arrays.copyOf(permit, n);
    gen = Arrays.copyOf(gen, n);
    start = Arrays.copyOf(start, n);
    admitted = Arrays.copyOf(admitted, n);
    deadline = Arrays.copyOf(deadline, n);
    state = Arrays.copyOf(state, n);
  }
}
