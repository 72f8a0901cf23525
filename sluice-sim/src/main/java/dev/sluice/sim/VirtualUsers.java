package dev.sluice.sim;

/**
 * The virtual users of a run's closed-loop sources (k6's {@code ramping-vus}), driven by two event
 * kinds on the run's queue. User {@code v} of a source is wanted while the stages' target is at
 * least {@code v + 1}; it starts an iteration when it becomes wanted ({@link #START}, unless it is
 * still finishing one), sends one logical request through the run's {@link Sender}, and when that
 * request has ended ({@link #ended}: 2xx, failure or 429, after any retries) sleeps the think time
 * ({@link #WAKE}) and goes again if still wanted, else parks. User {@code v} sends as client key
 * {@code v mod clients}. Not thread-safe; one per run.
 *
 * <p>Design note: a source's think time is constant and events are handled in time order, so its
 * users wake in the order they went to sleep. Their wake-ups therefore wait in a FIFO per source,
 * and only the FIFO's head is on the run's event queue; when it comes due, the wake-ups after it
 * that are due strictly before every other pending event are handled at once, in order, without
 * going through the queue. With thousands of users looping on instant 429s this keeps the heap
 * out of the loop (it was most of the run time). The {@link Sender} is handed each wake-up's own
 * time, and the run's clock must follow it.
 */
final class VirtualUsers {

  /** Event kind: a user becomes wanted; payload {@code source << 32 | index of the start}. */
  static final int START = 7;
  /** Event kind: the first user in a source's wake-up FIFO is due; payload {@code source}. */
  static final int WAKE = 8;

  /** Where a user's request goes: the run's admission path. */
  interface Sender {
    /** Sends a new logical request of source {@code s} as {@code client}, from user {@code user}. */
    void send(int s, int client, int user, long nowNanos);
  }

  private static final long SECOND = 1_000_000_000L;

  private final EventQueue events;
  private final long end;
  private final Sender sender;
  private final Scenario.ClosedLoop[] loops;
  private final int[] clients;
  private final long[] thinkNanos;
  private final long[][] startAt;
  private final int[][] startUser;
  private final boolean[][] busy;
  // Per source: the wake-up FIFO (a ring of times and users), and whether its head is on the queue.
  private final long[][] wakeAt;
  private final int[][] wakeUser;
  private final int[] head;
  private final int[] size;
  private final boolean[] scheduled;

  /** Users of {@code sc}'s closed-loop sources, scheduling on {@code events} until {@code end} (ns). */
  VirtualUsers(Scenario sc, EventQueue events, long end, Sender sender) {
    this.events = events;
    this.end = end;
    this.sender = sender;
    int n = sc.sources().size();
    loops = new Scenario.ClosedLoop[n];
    clients = new int[n];
    thinkNanos = new long[n];
    startAt = new long[n][];
    startUser = new int[n][];
    busy = new boolean[n][];
    wakeAt = new long[n][];
    wakeUser = new int[n][];
    head = new int[n];
    size = new int[n];
    scheduled = new boolean[n];
    for (int s = 0; s < n; s++) {
      Scenario.Source src = sc.sources().get(s);
      if (src.closed()) {
        loops[s] = src.closedLoop();
        clients[s] = src.clients();
        thinkNanos[s] = Math.max(1, Math.round(src.closedLoop().thinkMillis() * 1e6));
        busy[s] = new boolean[src.closedLoop().maxUsers()];
        wakeAt[s] = new long[Math.max(1, busy[s].length)];
        wakeUser[s] = new int[wakeAt[s].length];
        starts(s, src.closedLoop());
      }
    }
  }

  /** Lists when each user is first wanted in each rising stage, in time order. */
  private void starts(int s, Scenario.ClosedLoop loop) {
    int count = 0;
    int from = 0;
    for (Scenario.Stage st : loop.stages()) {
      count += Math.max(0, st.target() - from);
      from = st.target();
    }
    startAt[s] = new long[count];
    startUser[s] = new int[count];
    int i = 0;
    double t0 = 0;
    from = 0;
    for (Scenario.Stage st : loop.stages()) {
      for (int k = from + 1; k <= st.target(); k++) {
        startAt[s][i] = Math.round((t0 + (k - from) * st.seconds() / (st.target() - from)) * SECOND);
        startUser[s][i++] = k - 1;
      }
      t0 += st.seconds();
      from = st.target();
    }
  }

  /** Schedules each closed-loop source's first start. */
  void schedule() {
    for (int s = 0; s < loops.length; s++) {
      if (loops[s] != null && startAt[s].length > 0 && startAt[s][0] < end) {
        events.push(startAt[s][0], START, (long) s << 32);
      }
    }
  }

  /** A {@link #START} event: the user begins iterating unless it still is; the next start is scheduled. */
  void onStart(long payload, long now) {
    int s = (int) (payload >>> 32);
    int k = (int) payload;
    if (k + 1 < startAt[s].length && startAt[s][k + 1] < end) {
      events.push(startAt[s][k + 1], START, payload + 1);
    }
    int v = startUser[s][k];
    if (!busy[s][v]) {
      busy[s][v] = true;
      sender.send(s, v % clients[s], v, now);
    }
  }

  /**
   * A {@link #WAKE} event: the first user in the source's FIFO sends its next request if the stages
   * still want it, else parks.
   */
  void onWake(long payload, long now) {
    int s = (int) payload;
    // The head stays "scheduled" while the due wake-ups are handled here, so that a user that
    // goes back to sleep meanwhile does not put a second head on the queue.
    long t = now;
    do {
      int v = wakeUser[s][head[s]];
      head[s] = (head[s] + 1) % wakeAt[s].length;
      size[s]--;
      if (loops[s].target(t / 1e9) >= v + 1 - 1e-9) {
        sender.send(s, v % clients[s], v, t);
      } else {
        busy[s][v] = false;
      }
      t = size[s] > 0 ? wakeAt[s][head[s]] : Long.MAX_VALUE;
    } while (t < events.peekTime());
    scheduled[s] = false;
    scheduleHead(s);
  }

  /** The logical request user {@code v} of source {@code s} sent has ended; no-op for open-loop sources. */
  void ended(int s, int v, long now) {
    if (loops[s] == null || now + thinkNanos[s] >= end) {
      return;
    }
    // Each user is at most once in the FIFO (it sleeps only between iterations), so it never fills.
    int tail = (head[s] + size[s]++) % wakeAt[s].length;
    wakeAt[s][tail] = now + thinkNanos[s];
    wakeUser[s][tail] = v;
    scheduleHead(s);
  }

  private void scheduleHead(int s) {
    if (!scheduled[s] && size[s] > 0) {
      scheduled[s] = true;
      events.push(wakeAt[s][head[s]], WAKE, s);
    }
  }
}
