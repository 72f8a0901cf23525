package dev.sluice.bench;

import dev.sluice.server.observe.RequestTrace;
import dev.sluice.server.observe.Tracing;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the edge's traces cost a request, in nanoseconds per call, through the server's own span
 * code ({@link Tracing}, {@link RequestTrace}) as an edge request drives it, with the production
 * span processor ({@link BatchSpanProcessor}) in front of an exporter that drops every batch (the
 * OTLP round trip happens on the processor's thread, not the request's).
 *
 * <p>{@code off}: tracing off, the default (the call the edge makes and its null checks).
 * {@code sampled}: a sampled request: {@code sluice.request}, {@code sluice.decision} with its
 * attributes, {@code sluice.upstream}, all ended. {@code sampledWithoutDecision}: the same without
 * the decision span; the limiter span's own cost is {@code sampled - sampledWithoutDecision}.
 * {@code unsampled}: tracing on, the request not sampled (ratio 1e-9): the root span is made and
 * dropped, nothing else.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class TraceCostBenchmark {

  /** An exporter that accepts every batch and keeps nothing. */
  private static final class Dropping implements SpanExporter {
    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode flush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }

  private final Tracing off = Tracing.off();
  private Tracing sampled;
  private Tracing unsampled;

  /** Builds the two tracers. */
  @Setup(Level.Trial)
  public void setUp() {
    // a queue the processor's thread keeps empty: every span is handed over, none dropped
    sampled = Tracing.of(BatchSpanProcessor.builder(new Dropping()).setMaxQueueSize(1 << 20)
        .setScheduleDelay(java.time.Duration.ofMillis(5)).build(), 1.0);
    unsampled = Tracing.of(BatchSpanProcessor.builder(new Dropping()).build(), 1e-9);
  }

  /** Stops the processors. */
  @TearDown(Level.Trial)
  public void tearDown() {
    sampled.close();
    unsampled.close();
  }

  @Benchmark
  public Object off() {
    return request(off, true);
  }

  @Benchmark
  public Object sampled() {
    return request(sampled, true);
  }

  @Benchmark
  public Object sampledWithoutDecision() {
    return request(sampled, false);
  }

  @Benchmark
  public Object unsampled() {
    return request(unsampled, true);
  }

  /** What {@code ProxyExchange} and {@code Relay} do for one admitted, proxied request. */
  private static RequestTrace request(Tracing tracing, boolean decision) {
    RequestTrace t = tracing.request("GET", "/v1/items", null, null);
    if (t == null) {
      return null;
    }
    if (decision) {
      t.deciding("free", 1);
      t.decided("free", true, null, 100.0, false);
    }
    t.upstreamStarted("127.0.0.1:8081");
    t.upstreamEnded(200, false);
    t.ended(200);
    return t;
  }
}
