package dev.sluice.sim;

/**
 * The backend side of a run's admitted attempts, driven by three event kinds on the run's queue.
 * An attempt admitted while the {@link Backend} is down fails fast with a 503 after the scenario's
 * outage delay ({@link #FAST_FAIL}); otherwise it starts service at once if a worker is free and
 * nobody is queued, else waits in the backend's FIFO. It has a deadline of the scenario's deadline
 * times its cost: its service ending ({@link #COMPLETE}) answers 2xx or 5xx, and the deadline
 * passing first ({@link #TIMEOUT}) answers 504, after which a queued attempt stays in the FIFO
 * until a worker skips it and one in service keeps its worker until the service ends. Every answer
 * goes to the run's {@link Responder}; the slot is freed here once the backend is done with it.
 * Not thread-safe; one per run.
 */
final class BackendEvents {

  /** Event kind: an attempt's service ends; payload its request handle. */
  static final int COMPLETE = 2;
  /** Event kind: an attempt's deadline passes; payload its request handle. */
  static final int TIMEOUT = 3;
  /** Event kind: an attempt admitted while the backend is down fails; payload its request handle. */
  static final int FAST_FAIL = 4;

  /** Where the backend's answers go: the run's response path. */
  interface Responder {
    /** The client of attempt {@code id} sees {@code status} (504: gives up) {@code latencyNanos} after admission. */
    void respond(int id, long nowNanos, int status, long latencyNanos);
  }

  private static final long SECOND = 1_000_000_000L;

  private final Scenario sc;
  private final Requests req;
  private final EventQueue events;
  private final Backend backend;
  private final Responder responder;

  /** The backend side of a run of {@code sc}, scheduling on {@code events}. */
  BackendEvents(Scenario sc, Requests req, EventQueue events, Backend backend, Responder responder) {
    this.sc = sc;
    this.req = req;
    this.events = events;
    this.backend = backend;
    this.responder = responder;
  }

  private int sec(long now) {
    return (int) Math.min(sc.seconds() - 1, now / SECOND);
  }

  /** Attempt {@code id} was admitted at {@code now}, during second {@code sec}. */
  void admit(int id, long now, int sec) {
    req.admitted[id] = now;
    req.deadline[id] = now + Math.round(sc.backend().deadlineMillis() * req.cost[id] * 1e6);
    if (backend.down[sec]) {
      req.state[id] = Requests.FAST_FAIL;
      events.push(now + Math.round(sc.backend().outageMillis() * 1e6), FAST_FAIL, req.handle(id));
    } else if (backend.hasFreeWorker(sec) && backend.queued() == 0) {
      startService(id, now, sec);
    } else {
      req.state[id] = Requests.QUEUED;
      backend.enqueue(id);
      events.push(req.deadline[id], TIMEOUT, req.handle(id));
    }
  }

  private void startService(int id, long now, int sec) {
    backend.integrate(now, sec);
    backend.busy++;
    req.state[id] = Requests.SERVICE;
    long done = now + backend.serviceNanos(sec, req.cost[id]);
    events.push(done, COMPLETE, req.handle(id));
    if (done > req.deadline[id]) {
      events.push(req.deadline[id], TIMEOUT, req.handle(id));
    }
  }

  /** A {@link #COMPLETE} event: the worker answers unless the client timed out, then takes the next attempt. */
  void onComplete(long handle, long now) {
    int id = req.resolve(handle);
    int sec = sec(now);
    backend.integrate(now, sec);
    backend.busy--;
    if (req.state[id] == Requests.SERVICE) {
      int status = backend.fails(sec) ? 500 : 200;
      responder.respond(id, now, status, now - req.admitted[id]);
    }
    req.release(id);
    dispatch(now, sec);
  }

  /** Starts service for queued attempts while workers are free, freeing those abandoned meanwhile. */
  void dispatch(long now, int sec) {
    while (backend.hasFreeWorker(sec) && backend.queued() > 0) {
      int id = backend.dequeue();
      if (req.state[id] == Requests.ABANDONED) {
        req.release(id);
      } else {
        startService(id, now, sec);
      }
    }
  }

  /** A {@link #TIMEOUT} event: the client gives up on an attempt still queued or in service. */
  void onTimeout(long handle, long now) {
    int id = req.resolve(handle);
    if (id < 0) {
      return;
    }
    if (req.state[id] == Requests.QUEUED) {
      req.state[id] = Requests.ABANDONED;
    } else if (req.state[id] == Requests.SERVICE) {
      req.state[id] = Requests.SERVICE_TIMED_OUT;
    } else {
      return;
    }
    responder.respond(id, now, 504, now - req.admitted[id]);
  }

  /** A {@link #FAST_FAIL} event: the down backend answers 503. */
  void onFastFail(long handle, long now) {
    int id = req.resolve(handle);
    responder.respond(id, now, 503, now - req.admitted[id]);
    req.release(id);
  }
}
