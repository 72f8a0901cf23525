package dev.sluice.server;

import dev.sluice.core.Clock;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How to start a {@link SluiceServer}: the config (a file, or YAML text) plus the server-only
 * settings that have no config field yet. Immutable; build with {@link #builder()}.
 *
 * @param configFile the config file, or {@code null} when {@code configYaml} is given
 * @param configYaml the config text when there is no file, else {@code null}
 * @param clock the clock decisions are made on
 * @param requestLog the request log, or {@code null} for none
 * @param maxDecisionBodyBytes largest {@code /v1/decisions} or {@code /v1/feedback} body (413 above)
 * @param maxProxyBodyBytes largest proxied request body (413 above)
 * @param watchInterval how often the config file is checked for changes; {@code null} or zero: never
 * @param adminToken the admin token used when the config has none; {@code null} for none
 * @param throttleLogPerSecond most throttle events logged per second
 * @param upstreamErrorLogPerSecond most upstream failures (502, 504) logged at WARN per second
 * @param shutdownQuietPeriod how long the ports keep serving after a stop is asked for while
 *     requests still arrive
 * @param shutdownTimeout the longest a stop waits for requests in flight
 * @param idleTimeout how long an edge connection may neither read nor write before it is closed
 */
public record ServerOptions(
    Path configFile,
    String configYaml,
    Clock clock,
    RequestLogOptions requestLog,
    long maxDecisionBodyBytes,
    long maxProxyBodyBytes,
    Duration watchInterval,
    String adminToken,
    long throttleLogPerSecond,
    long upstreamErrorLogPerSecond,
    Duration shutdownQuietPeriod,
    Duration shutdownTimeout,
    Duration idleTimeout) {

  /** Validates every setting. */
  public ServerOptions {
    if ((configFile == null) == (configYaml == null)) {
      throw new IllegalArgumentException("config: give a file or YAML text (expected: exactly one)");
    }
    if (clock == null) {
      throw new IllegalArgumentException("clock: null (expected: a clock)");
    }
    if (maxDecisionBodyBytes < 256) {
      throw new IllegalArgumentException("max decision body: " + maxDecisionBodyBytes + " (expected: >= 256)");
    }
    if (maxProxyBodyBytes < 0) {
      throw new IllegalArgumentException("max proxy body: " + maxProxyBodyBytes + " (expected: >= 0, 0 = unlimited)");
    }
    if (throttleLogPerSecond < 0) {
      throw new IllegalArgumentException("throttle log limit: " + throttleLogPerSecond + " (expected: >= 0)");
    }
    if (upstreamErrorLogPerSecond < 0) {
      throw new IllegalArgumentException("upstream error log limit: " + upstreamErrorLogPerSecond
          + " (expected: >= 0)");
    }
    if (shutdownQuietPeriod == null || shutdownQuietPeriod.isNegative()
        || shutdownTimeout == null || shutdownTimeout.compareTo(shutdownQuietPeriod) < 0) {
      throw new IllegalArgumentException("shutdown: quiet " + shutdownQuietPeriod + ", timeout " + shutdownTimeout
          + " (expected: 0 <= quiet period <= timeout)");
    }
    if (idleTimeout == null || idleTimeout.toMillis() < 1) {
      throw new IllegalArgumentException("idle timeout: " + idleTimeout + " (expected: >= 1 ms)");
    }
  }

  /** Returns a builder with the defaults of {@code sluice serve}. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds {@link ServerOptions}. */
  public static final class Builder {
    private Path configFile;
    private String configYaml;
    private Clock clock = Clock.system();
    private RequestLogOptions requestLog;
    private long maxDecisionBodyBytes = 64 * 1024;
    private long maxProxyBodyBytes = 10L << 20;
    private Duration watchInterval = Duration.ofSeconds(2);
    private String adminToken = System.getenv("SLUICE_ADMIN_TOKEN");
    private long throttleLogPerSecond = 1000;
    private long upstreamErrorLogPerSecond = 100;
    private Duration shutdownQuietPeriod = Duration.ofSeconds(1);
    private Duration shutdownTimeout = Duration.ofSeconds(10);
    private Duration idleTimeout = Duration.ofSeconds(60);

    private Builder() {}

    /** Reads the config from {@code file} (and watches it; see {@link #watchInterval}). */
    public Builder configFile(Path file) {
      this.configFile = file;
      this.configYaml = null;
      return this;
    }

    /** Uses {@code yaml} as the config; nothing is watched. */
    public Builder configYaml(String yaml) {
      this.configYaml = yaml;
      this.configFile = null;
      return this;
    }

    /** Decides on {@code clock} (default: the system clock). */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /** Writes a request log (default: none). */
    public Builder requestLog(RequestLogOptions options) {
      this.requestLog = options;
      return this;
    }

    /** Limits decision and feedback bodies (default 64 KiB). */
    public Builder maxDecisionBodyBytes(long bytes) {
      this.maxDecisionBodyBytes = bytes;
      return this;
    }

    /** Limits proxied request bodies (default 10 MiB; 0 = unlimited). */
    public Builder maxProxyBodyBytes(long bytes) {
      this.maxProxyBodyBytes = bytes;
      return this;
    }

    /** Checks the config file this often (default 2 s; {@code null} or zero: never). */
    public Builder watchInterval(Duration interval) {
      this.watchInterval = interval;
      return this;
    }

    /** Uses {@code token} when the config names none (default: {@code SLUICE_ADMIN_TOKEN}). */
    public Builder adminToken(String token) {
      this.adminToken = token;
      return this;
    }

    /** Logs at most this many throttle events per second (default 1000). */
    public Builder throttleLogPerSecond(long perSecond) {
      this.throttleLogPerSecond = perSecond;
      return this;
    }

    /** Logs at most this many upstream failures at WARN per second (default 100). */
    public Builder upstreamErrorLogPerSecond(long perSecond) {
      this.upstreamErrorLogPerSecond = perSecond;
      return this;
    }

    /** Sets the graceful shutdown's quiet period and timeout (default 1 s and 10 s). */
    public Builder shutdown(Duration quietPeriod, Duration timeout) {
      this.shutdownQuietPeriod = quietPeriod;
      this.shutdownTimeout = timeout;
      return this;
    }

    /** Sets how long an edge connection may be idle before it is closed (default 60 s). */
    public Builder idleTimeout(Duration timeout) {
      this.idleTimeout = timeout;
      return this;
    }

    /** Returns the options; throws {@link IllegalArgumentException} when a setting is invalid. */
    public ServerOptions build() {
      return new ServerOptions(configFile, configYaml, clock, requestLog, maxDecisionBodyBytes,
          maxProxyBodyBytes, watchInterval, adminToken, throttleLogPerSecond, upstreamErrorLogPerSecond, shutdownQuietPeriod,
          shutdownTimeout, idleTimeout);
    }
  }
}
