package dev.sluice.cli.load;

import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.Endpoint;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.SessionProtocol;
import com.linecorp.armeria.common.util.EventLoopGroups;
import dev.sluice.core.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * One open-model load run against a target: a scheduler thread sends each source's requests at
 * their intended times (start + k / rate), asynchronously over Armeria's HTTP/1.1 client, and the
 * answers are counted and timed on the client's event loops. Thread-safe; {@link #start} it, read
 * {@link #totals} and {@link #elapsedSeconds} while it runs, {@link #await} the result, {@link
 * #close} it (stops sending, closes the client and its threads).
 */
public final class LoadRun implements AutoCloseable {

  /*
   * Design note. Latency is measured from the intended send time, not the actual one: if the
   * driver is late (its thread was not scheduled, or the target's slowness backed up the client),
   * that delay is the target's latency as an open-model user would see it, which is what hides
   * when a closed loop waits for answers before sending (coordinated omission). The driver never
   * skips a due request to catch up; it sends late and counts it (late = more than LATE_MS behind),
   * and it drops (and counts) only when maxInFlight requests are outstanding, so a target that
   * stops answering cannot exhaust memory. Results are kept per phase (by intended time) and per
   * whole second, plus per source.
   */

  /** A send more than this many milliseconds after its intended time counts as late. */
  public static final long LATE_MS = 10;

  private static final long HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(10);

  private final LoadTarget target;
  private final List<LoadPhase> phases;
  private final List<LoadSource> sources;
  private final Clock clock;
  private final ClientFactory factory;
  private final WebClient client;
  private final double seconds;
  private final Tally total = new Tally();
  private final Tally[] perPhase;
  private final Tally[] perSource;
  private final Tally[] perSecond;
  private final ConcurrentHistogram[] phaseLatency;
  private final ConcurrentHistogram[] secondLatency;
  private final ConcurrentHistogram okLatency = new ConcurrentHistogram(HIGHEST_MICROS, 3);
  private final long[] phaseLate;
  private final long[] phaseDropped;
  private final long[] phaseMaxLag;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final CountDownLatch done = new CountDownLatch(1);
  private final AtomicLong startNanos = new AtomicLong(Long.MIN_VALUE);
  private final Thread scheduler;
  private volatile boolean stopped;

  private LoadRun(LoadTarget target, List<LoadPhase> phases, List<LoadSource> sources, Clock clock) {
    this.target = target;
    this.phases = List.copyOf(phases);
    this.sources = List.copyOf(sources);
    this.clock = clock;
    double end = 0;
    for (LoadSource s : sources) {
      end = Math.max(end, s.endSeconds());
    }
    for (LoadPhase p : phases) {
      end = Math.max(end, p.endSeconds());
    }
    this.seconds = end;
    int secs = (int) Math.ceil(end);
    perPhase = tallies(phases.size());
    perSource = tallies(sources.size());
    perSecond = tallies(secs);
    phaseLatency = new ConcurrentHistogram[phases.size()];
    for (int i = 0; i < phaseLatency.length; i++) {
      phaseLatency[i] = new ConcurrentHistogram(HIGHEST_MICROS, 3);
    }
    secondLatency = new ConcurrentHistogram[secs];
    for (int i = 0; i < secs; i++) {
      secondLatency[i] = new ConcurrentHistogram(HIGHEST_MICROS, 2);
    }
    phaseLate = new long[phases.size()];
    phaseDropped = new long[phases.size()];
    phaseMaxLag = new long[phases.size()];
    this.factory = ClientFactory.builder()
        .workerGroup(EventLoopGroups.newEventLoopGroup(Math.max(1, Runtime.getRuntime().availableProcessors())), true)
        .connectTimeout(target.timeout())
        .idleTimeout(Duration.ofSeconds(30))
        .build();
    this.client = WebClient.builder(SessionProtocol.H1C, Endpoint.of(target.url().getHost(), target.port()))
        .factory(factory)
        .responseTimeout(target.timeout())
        .build();
    this.scheduler = new Thread(this::schedule, "sluice-load-scheduler");
    scheduler.setDaemon(true);
  }

  private static Tally[] tallies(int n) {
    Tally[] t = new Tally[n];
    for (int i = 0; i < n; i++) {
      t[i] = new Tally();
    }
    return t;
  }

  /**
   * Starts sending {@code sources} to {@code target} now (second 0 of the run), reporting over
   * {@code phases}; time is read from {@code clock}.
   */
  public static LoadRun start(LoadTarget target, List<LoadPhase> phases, List<LoadSource> sources, Clock clock) {
    if (sources.isEmpty()) {
      throw new IllegalArgumentException("sources: none (expected: at least one)");
    }
    LoadRun run = new LoadRun(target, phases, sources, clock);
    run.startNanos.set(clock.nanoTime());
    run.scheduler.start();
    return run;
  }

  /** Returns the run's planned length, seconds. */
  public double seconds() {
    return seconds;
  }

  /** Returns the seconds since the run started. */
  public double elapsedSeconds() {
    return (clock.nanoTime() - startNanos.get()) / 1e9;
  }

  /** Returns the counts over the whole run so far. */
  public Counts totals() {
    return total.snapshot();
  }

  /** Returns the counts so far of source {@code i}. */
  public Counts source(int i) {
    return perSource[i].snapshot();
  }

  /** Returns the requests outstanding now. */
  public int inFlight() {
    return inFlight.get();
  }

  private void schedule() {
    long start = startNanos.get();
    int n = sources.size();
    long[] k = new long[n];
    long[] next = new long[n];
    long[] end = new long[n];
    String[] paths = new String[n];
    for (int i = 0; i < n; i++) {
      LoadSource s = sources.get(i);
      next[i] = start + Math.round(s.startSeconds() * 1e9);
      end[i] = start + Math.round(s.endSeconds() * 1e9);
      paths[i] = target.prefix() + s.path();
    }
    try {
      while (!stopped) {
        int due = -1;
        for (int i = 0; i < n; i++) {
          if (next[i] < end[i] && (due < 0 || next[i] < next[due])) {
            due = i;
          }
        }
        if (due < 0) {
          break;
        }
        long intended = next[due];
        long now = clock.nanoTime();
        if (intended > now) {
          LockSupport.parkNanos(Math.min(intended - now, 50_000_000L));
          continue;
        }
        LoadSource s = sources.get(due);
        send(due, paths[due], s.clients().next(), intended, now - intended);
        k[due]++;
        next[due] = start + Math.round(s.startSeconds() * 1e9 + k[due] * 1e9 / s.rate());
      }
    } finally {
      done.countDown();
    }
  }

  private void send(int source, String path, String clientId, long intended, long lag) {
    double at = (intended - startNanos.get()) / 1e9;
    int phase = phaseOf(at);
    int second = Math.min(perSecond.length - 1, (int) at);
    if (phase >= 0) {
      synchronized (phaseLate) {
        if (lag > TimeUnit.MILLISECONDS.toNanos(LATE_MS)) {
          phaseLate[phase]++;
        }
        phaseMaxLag[phase] = Math.max(phaseMaxLag[phase], lag);
      }
    }
    if (inFlight.get() >= target.maxInFlight()) {
      if (phase >= 0) {
        synchronized (phaseLate) {
          phaseDropped[phase]++;
        }
      }
      return;
    }
    inFlight.incrementAndGet();
    count(Tally.SENT, source, phase, second);
    RequestHeaders headers = RequestHeaders.of(HttpMethod.GET, path, target.header(), clientId);
    client.execute(headers).aggregate().handle((res, err) -> {
      long latency = clock.nanoTime() - intended;
      int status = err != null ? -1 : res.status().code();
      count(Tally.kind(status), source, phase, second);
      if (err == null) {
        long micros = Math.min(HIGHEST_MICROS, Math.max(1, latency / 1_000));
        if (phase >= 0) {
          phaseLatency[phase].recordValue(micros);
        }
        secondLatency[second].recordValue(micros);
        if (status >= 200 && status < 300) {
          okLatency.recordValue(micros);
        }
      }
      inFlight.decrementAndGet();
      return null;
    });
  }

  private void count(int kind, int source, int phase, int second) {
    total.add(kind);
    perSource[source].add(kind);
    perSecond[second].add(kind);
    if (phase >= 0) {
      perPhase[phase].add(kind);
    }
  }

  private int phaseOf(double at) {
    for (int i = 0; i < phases.size(); i++) {
      if (at >= phases.get(i).startSeconds() && at < phases.get(i).endSeconds()) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Waits until every request has been sent and has ended (at most the target's timeout plus a
   * second after the last send), then returns the result.
   */
  public LoadResult await() throws InterruptedException {
    done.await();
    long deadline = clock.nanoTime() + target.timeout().plusSeconds(1).toNanos();
    while (inFlight.get() > 0 && clock.nanoTime() < deadline) {
      LockSupport.parkNanos(10_000_000L);
    }
    return result();
  }

  /** Returns what was measured so far. */
  public LoadResult result() {
    List<PhaseResult> out = new ArrayList<>();
    for (int i = 0; i < phases.size(); i++) {
      LoadPhase p = phases.get(i);
      Histogram h = phaseLatency[i].copy();
      double rate = 0;
      for (LoadSource s : sources) {
        double overlap = Math.min(s.endSeconds(), p.endSeconds()) - Math.max(s.startSeconds(), p.startSeconds());
        rate += overlap > 0 ? s.rate() * overlap / p.seconds() : 0;
      }
      long late;
      long dropped;
      long lag;
      synchronized (phaseLate) {
        late = phaseLate[i];
        dropped = phaseDropped[i];
        lag = phaseMaxLag[i];
      }
      out.add(new PhaseResult(p.name(), p.startSeconds(), p.seconds(), rate, perPhase[i].snapshot(), ms(h, 50), ms(h, 95), ms(h, 99),
          ms(h, 99.9), late, dropped, lag / 1e6));
    }
    List<LoadResult.Second> secs = new ArrayList<>();
    for (int s = 0; s < perSecond.length; s++) {
      Histogram h = secondLatency[s].copy();
      secs.add(new LoadResult.Second(s, perSecond[s].snapshot(), ms(h, 50), ms(h, 95), ms(h, 99)));
    }
    List<Counts> bySource = new ArrayList<>();
    for (Tally t : perSource) {
      bySource.add(t.snapshot());
    }
    Histogram ok = okLatency.copy();
    return new LoadResult(target.url().toString(), out, secs, bySource, total.snapshot(), ms(ok, 50), ms(ok, 95),
        ms(ok, 99));
  }

  private static double ms(Histogram h, double percentile) {
    return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1000.0;
  }

  /** Stops sending; requests in flight still end and are counted. */
  public void stop() {
    stopped = true;
    LockSupport.unpark(scheduler);
  }

  /** Stops sending and closes the client and its event loops (waiting for them to end). */
  @Override
  public void close() {
    stop();
    try {
      done.await(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    factory.closeAsync().join();
  }
}
