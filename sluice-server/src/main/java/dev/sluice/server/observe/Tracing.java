package dev.sluice.server.observe;

import dev.sluice.config.ObservabilityConfig;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.util.concurrent.TimeUnit;

/**
 * The server's tracer: off (the default; {@link #request} returns {@code null} and nothing else
 * happens on the hot path), or an OpenTelemetry SDK tracer whose spans a {@link BatchSpanProcessor}
 * exports over OTLP/HTTP ({@code observability.otlp.endpoint}), sampled by {@code
 * observability.otlp.sampling-ratio} unless the caller's {@code traceparent} decided. Thread-safe.
 */
public final class Tracing implements AutoCloseable {

  private static final Tracing OFF = new Tracing(null);

  private final SdkTracerProvider provider;
  private final Tracer tracer;

  private Tracing(SdkTracerProvider provider) {
    this.provider = provider;
    this.tracer = provider == null ? null : provider.get("dev.sluice.server");
  }

  /** Tracing off: no tracer, no span, no allocation. */
  public static Tracing off() {
    return OFF;
  }

  /** Returns tracing as {@code config} says: off without an endpoint, else OTLP/HTTP to it. */
  public static Tracing of(ObservabilityConfig config) {
    if (!config.tracing()) {
      return OFF;
    }
    OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder()
        .setEndpoint(config.tracesUrl().toString())
        .build();
    return of(BatchSpanProcessor.builder(exporter).build(), config.samplingRatio());
  }

  /** Returns tracing that hands every ended span to {@code processor} (tests, benchmarks), sampling {@code ratio}. */
  public static Tracing of(SpanProcessor processor, double ratio) {
    SdkTracerProvider provider = SdkTracerProvider.builder()
        .setResource(Resource.getDefault().merge(Resource.create(
            Attributes.of(AttributeKey.stringKey("service.name"), "sluice"))))
        .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(ratio)))
        .addSpanProcessor(processor)
        .build();
    return new Tracing(provider);
  }

  /** Returns whether spans are recorded. */
  public boolean enabled() {
    return tracer != null;
  }

  /**
   * Starts the trace of one edge request ({@code traceparent} and {@code tracestate}: the caller's
   * W3C trace context, or {@code null}); returns {@code null} when tracing is off or the request
   * is not sampled.
   */
  public RequestTrace request(String method, String path, String traceparent, String tracestate) {
    return tracer == null ? null : RequestTrace.start(tracer, method, path, traceparent, tracestate);
  }

  /** Exports what is buffered (waiting up to 5 s) and stops. */
  @Override
  public void close() {
    if (provider != null) {
      provider.shutdown().join(5, TimeUnit.SECONDS);
    }
  }
}
