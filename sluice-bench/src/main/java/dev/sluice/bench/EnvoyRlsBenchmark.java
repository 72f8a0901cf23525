package dev.sluice.bench;

import com.linecorp.armeria.client.grpc.GrpcClients;
import dev.sluice.core.Clock;
import dev.sluice.envoy.EnvoyRateLimitServer;
import io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitServiceGrpc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A load client for Sluice's Envoy rate-limit service: {@code ShouldRateLimit} calls over a real
 * loopback gRPC connection (HTTP/2 cleartext, the generated blocking stub on Armeria), each thread
 * one call at a time, as Envoy's filter makes them. Throughput gives calls/s, sample time the
 * latency percentiles (p99) of one call.
 *
 * <p>{@code descriptors = 1}: one descriptor per call ({@code client}: one of 1,000 values);
 * {@code 3}: three ({@code client}; {@code tenant} and {@code route}, nested; {@code path} by
 * wildcard), each charging its own bucket. The limits are high enough that every call is OK, so
 * each call charges every bucket it names.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.Throughput, Mode.SampleTime})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class EnvoyRlsBenchmark {

  static final String LIMITS = """
      domain: bench
      descriptors:
        - key: client
          rate_limit: {unit: second, requests_per_unit: 100000000}
        - key: tenant
          descriptors:
            - key: route
              rate_limit: {unit: second, requests_per_unit: 100000000}
        - key: path
          value: /api/*
          rate_limit: {unit: second, requests_per_unit: 100000000}
      """;

  @Param({"1", "3"})
  public int descriptors;

  private Path dir;
  private EnvoyRateLimitServer server;
  private RateLimitServiceGrpc.RateLimitServiceBlockingStub client;
  private RateLimitRequest[] requests;
  private final AtomicLong next = new AtomicLong();

  @Setup
  public void start() throws Exception {
    dir = Files.createTempDirectory("sluice-envoy-bench");
    Files.writeString(dir.resolve("bench.yaml"), LIMITS);
    server = EnvoyRateLimitServer.start(dir, 0, Clock.system(), Duration.ofSeconds(60));
    client = GrpcClients.newClient("http://127.0.0.1:" + server.port(),
        RateLimitServiceGrpc.RateLimitServiceBlockingStub.class);
    requests = new RateLimitRequest[1000];
    for (int i = 0; i < requests.length; i++) {
      RateLimitRequest.Builder b = RateLimitRequest.newBuilder().setDomain("bench")
          .addDescriptors(descriptor("client", "c" + i));
      if (descriptors == 3) {
        b.addDescriptors(descriptor("tenant", "t" + (i % 10), "route", "r" + (i % 7)));
        b.addDescriptors(descriptor("path", "/api/items/" + (i % 50)));
      }
      requests[i] = b.build();
    }
    // One call through, so a broken setup fails here rather than as a fast error loop.
    RateLimitResponse first = client.shouldRateLimit(requests[0]);
    if (first.getOverallCode() != RateLimitResponse.Code.OK || first.getStatusesCount() != descriptors) {
      throw new IllegalStateException("unexpected first response: " + first);
    }
  }

  private static RateLimitDescriptor descriptor(String... keyThenValue) {
    RateLimitDescriptor.Builder d = RateLimitDescriptor.newBuilder();
    for (int i = 0; i < keyThenValue.length; i += 2) {
      d.addEntries(RateLimitDescriptor.Entry.newBuilder().setKey(keyThenValue[i]).setValue(keyThenValue[i + 1]));
    }
    return d.build();
  }

  @Benchmark
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public RateLimitResponse shouldRateLimit() {
    RateLimitRequest request = requests[(int) (next.getAndIncrement() % requests.length)];
    return client.shouldRateLimit(request);
  }

  @TearDown
  public void stop() throws IOException {
    server.close();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
