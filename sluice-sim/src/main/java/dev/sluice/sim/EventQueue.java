package dev.sluice.sim;

import java.util.Arrays;

/**
 * A binary min-heap of events on primitive arrays: no allocation per event. Events are ordered by
 * time, then by insertion order, so runs are deterministic when events tie. Not thread-safe.
 */
final class EventQueue {

  private long[] time = new long[1024];
  private long[] seq = new long[1024];
  private long[] payload = new long[1024];
  private int[] kind = new int[1024];
  private int size;
  private long nextSeq;

  /** The time of the event {@link #pop} returned last. */
  long poppedTime;
  /** The kind of the event {@link #pop} returned last. */
  int poppedKind;
  /** The payload of the event {@link #pop} returned last. */
  long poppedPayload;

  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  /** Returns the time of the earliest event, or Long.MAX_VALUE when there is none. */
  long peekTime() {
    return size == 0 ? Long.MAX_VALUE : time[0];
  }

  void push(long t, int k, long p) {
    if (size == time.length) {
      int n = size * 2;
      time = Arrays.copyOf(time, n);
      seq = Arrays.copyOf(seq, n);
      payload = Arrays.copyOf(payload, n);
      kind = Arrays.copyOf(kind, n);
    }
    int i = size++;
    long s = nextSeq++;
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (!less(t, s, time[parent], seq[parent])) {
        break;
      }
      move(parent, i);
      i = parent;
    }
    time[i] = t;
    seq[i] = s;
    payload[i] = p;
    kind[i] = k;
  }

  /** Removes the earliest event into the {@code popped*} fields. */
  void pop() {
    poppedTime = time[0];
    poppedKind = kind[0];
    poppedPayload = payload[0];
    int last = --size;
    if (last == 0) {
      return;
    }
    long t = time[last];
    long s = seq[last];
    long p = payload[last];
    int k = kind[last];
    int i = 0;
    while (true) {
      int child = 2 * i + 1;
      if (child >= last) {
        break;
      }
      if (child + 1 < last && less(time[child + 1], seq[child + 1], time[child], seq[child])) {
        child++;
      }
      if (!less(time[child], seq[child], t, s)) {
        break;
      }
      move(child, i);
      i = child;
    }
    time[i] = t;
    seq[i] = s;
    payload[i] = p;
    kind[i] = k;
  }

  private static boolean less(long t1, long s1, long t2, long s2) {
    return t1 < t2 || (t1 == t2 && s1 < s2);
  }

  private void move(int from, int to) {
    time[to] = time[from];
    seq[to] = seq[from];
    payload[to] = payload[from];
    kind[to] = kind[from];
  }
}
