package dev.sluice.cli.load;

import java.util.concurrent.atomic.LongAdder;

/** Outcome counters, thread-safe: the scheduler counts sends, the client's event loops answers. */
final class Tally {

  static final int SENT = 0;
  static final int OK = 1;
  static final int LIMITED = 2;
  static final int SERVER_ERROR = 3;
  static final int OTHER = 4;
  static final int ERROR = 5;

  private final LongAdder[] n = new LongAdder[6];

  Tally() {
    for (int i = 0; i < n.length; i++) {
      n[i] = new LongAdder();
    }
  }

  /** Returns the counter an HTTP status (or -1 for no answer) goes to. */
  static int kind(int status) {
    if (status < 0) {
      return ERROR;
    } else if (status >= 200 && status < 300) {
      return OK;
    } else if (status == 429) {
      return LIMITED;
    } else if (status >= 500 && status < 600) {
      return SERVER_ERROR;
    }
    return OTHER;
  }

  void add(int kind) {
    n[kind].increment();
  }

  Counts snapshot() {
    return new Counts(n[SENT].sum(), n[OK].sum(), n[LIMITED].sum(), n[SERVER_ERROR].sum(), n[OTHER].sum(),
        n[ERROR].sum());
  }
}
