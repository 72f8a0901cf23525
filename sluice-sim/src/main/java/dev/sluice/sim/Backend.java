package dev.sluice.sim;

import java.util.SplittableRandom;

/**
 * The simulated service: c workers taking attempts from a FIFO queue, service time drawn per
 * attempt (lognormal, exponential or bimodal, times the schedule's service factor, times the
 * attempt's cost), a 5xx probability that rises with the queue, and a schedule that changes
 * workers, speed, errors and up/down state at whole seconds. Also integrates busy and available
 * worker-time for utilisation. Not thread-safe; one per run.
 */
final class Backend {

  final int[] workers;
  final double[] factor;
  final boolean[] down;
  final double[] errorRate;
  private final Scenario.Backend spec;
  private final SplittableRandom rng;
  private final double mu;
  private final double sigma;
  private final double slowMu;

  int busy;
  private int[] fifo = new int[1024];
  private int head;
  private int size;
  private long lastChange;
  double busyIntegral;
  double availableIntegral;

  Backend(Scenario.Backend spec, int seconds, SplittableRandom rng) {
    this.spec = spec;
    this.rng = rng;
    workers = new int[seconds + 1];
    factor = new double[seconds + 1];
    down = new boolean[seconds + 1];
    errorRate = new double[seconds + 1];
    int w = spec.workers();
    double f = 1;
    boolean d = false;
    double e = spec.errorRate();
    int next = 0;
    for (int s = 0; s <= seconds; s++) {
      while (next < spec.schedule().size() && spec.schedule().get(next).at() <= s) {
        Scenario.Change c = spec.schedule().get(next++);
        w = c.workers() != null ? c.workers() : w;
        f = c.serviceFactor() != null ? c.serviceFactor() : f;
        d = c.down() != null ? c.down() : d;
        e = c.errorRate() != null ? c.errorRate() : e;
      }
      workers[s] = w;
      factor[s] = f;
      down[s] = d;
      errorRate[s] = e;
    }
    double cv = spec.service().cv();
    sigma = Math.sqrt(Math.log(1 + cv * cv));
    mu = Math.log(spec.service().fastMillis()) - sigma * sigma / 2;
    slowMu = Math.log(spec.service().slowMillis()) - sigma * sigma / 2;
  }

  /** Returns the true capacity during second {@code s}, tokens (units of work) per second. */
  double capacity(int s) {
    return down[s] ? 0 : workers[s] * 1_000.0 / (spec.service().meanMillis() * factor[s]);
  }

  /** Draws a service time in nanoseconds for an attempt of {@code cost} during second {@code s}. */
  long serviceNanos(int s, int cost) {
    double ms = switch (spec.service().distribution()) {
      case "exponential" -> spec.service().fastMillis() * rng.nextExponential();
      case "bimodal" -> Math.exp((rng.nextDouble() < spec.service().slowFraction() ? slowMu : mu)
          + sigma * rng.nextGaussian());
      default -> Math.exp(mu + sigma * rng.nextGaussian());
    };
    return Math.max(1, Math.round(ms * factor[s] * cost * 1e6));
  }

  /** Returns whether a completion during second {@code s} is a 5xx. */
  boolean fails(int s) {
    double p = errorRate[s] + spec.overloadErrors() * size / Math.max(1, workers[s]);
    return p > 0 && rng.nextDouble() < p;
  }

  /** Accounts busy and available worker-time up to {@code now}. */
  void integrate(long now, int s) {
    double dt = (now - lastChange) / 1e9;
    busyIntegral += busy * dt;
    availableIntegral += (down[s] ? 0 : Math.max(workers[s], busy)) * dt;
    lastChange = now;
  }

  boolean hasFreeWorker(int s) {
    return busy < workers[s];
  }

  int queued() {
    return size;
  }

  void enqueue(int id) {
    if (size == fifo.length) {
      int[] n = new int[fifo.length * 2];
      for (int i = 0; i < size; i++) {
        n[i] = fifo[(head + i) % fifo.length];
      }
      fifo = n;
      head = 0;
    }
    fifo[(head + size++) % fifo.length] = id;
  }

  /** Removes and returns the oldest queued slot, or -1. */
  int dequeue() {
    if (size == 0) {
      return -1;
    }
    int id = fifo[head];
    head = (head + 1) % fifo.length;
    size--;
    return id;
  }
}
