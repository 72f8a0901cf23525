package dev.sluice.cli.load;

import dev.sluice.core.Clock;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Scrapes a Sluice admin port's {@code /metrics} about once a second on a thread of its own while
 * a load run goes, keeping the global refill rate and concurrency level in force over time.
 * Thread-safe; {@link #close} stops and joins the thread. A failed scrape is counted, not fatal.
 */
public final class MetricsSampler implements AutoCloseable {

  /**
   * One scrape.
   *
   * @param seconds when, seconds from the sampler's start
   * @param refillRate the global refill rate, tokens per second (NaN when not exported)
   * @param concurrencyLimit the global concurrency level in force (NaN when there is none)
   * @param anomalyScore the highest anomaly score ({@code sluice_anomaly_score{scope="global"}}; NaN
   *     when the response is off)
   */
  public record Sample(double seconds, double refillRate, double concurrencyLimit, double anomalyScore) {}

  private final AdminClient admin;
  private final Clock clock;
  private final long start;
  private final long periodNanos;
  private final List<Sample> samples = new ArrayList<>();
  private final CountDownLatch stop = new CountDownLatch(1);
  private final Thread thread;
  private volatile String lastError;
  private volatile int failures;

  /** Starts scraping {@code admin} every {@code periodMillis}, timed on {@code clock}. */
  public MetricsSampler(AdminClient admin, Clock clock, long periodMillis) {
    this.admin = admin;
    this.clock = clock;
    this.start = clock.nanoTime();
    this.periodNanos = TimeUnit.MILLISECONDS.toNanos(periodMillis);
    this.thread = new Thread(this::loop, "sluice-metrics-sampler");
    thread.setDaemon(true);
    thread.start();
  }

  private void loop() {
    try {
      do {
        try {
          AdminClient.Samples m = admin.metrics();
          double limit = m.concurrencyLimit();
          Sample s = new Sample((clock.nanoTime() - start) / 1e9, m.globalRate(),
              Double.isNaN(limit) ? m.controllerLimit() : limit, m.value("sluice_anomaly_score{scope=\"global\"}"));
          synchronized (samples) {
            samples.add(s);
          }
        } catch (IOException e) {
          failures++;
          lastError = e.getMessage();
        }
      } while (!stop.await(periodNanos, TimeUnit.NANOSECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Returns the scrapes so far. */
  public List<Sample> samples() {
    synchronized (samples) {
      return List.copyOf(samples);
    }
  }

  /** Returns the latest scrape, or null before the first. */
  public Sample latest() {
    synchronized (samples) {
      return samples.isEmpty() ? null : samples.getLast();
    }
  }

  /** Returns the failed scrapes so far. */
  public int failures() {
    return failures;
  }

  /** Returns why the last failed scrape failed, or null. */
  public String lastError() {
    return lastError;
  }

  /** Returns the mean of {@code value} over the scrapes in {@code [from, to)} seconds (NaN if none). */
  public static double mean(List<Sample> samples, double from, double to,
      java.util.function.ToDoubleFunction<Sample> value) {
    double sum = 0;
    int n = 0;
    for (Sample s : samples) {
      double v = value.applyAsDouble(s);
      if (s.seconds() >= from && s.seconds() < to && !Double.isNaN(v)) {
        sum += v;
        n++;
      }
    }
    return n == 0 ? Double.NaN : sum / n;
  }

  /** Stops scraping and waits for the thread to end. */
  @Override
  public void close() {
    stop.countDown();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
