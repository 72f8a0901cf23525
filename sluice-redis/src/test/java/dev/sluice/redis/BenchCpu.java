package dev.sluice.redis;

import io.lettuce.core.api.sync.RedisCommands;
import java.util.List;
import java.util.Locale;

/** CPU and script time of a {@link RedisBench} cell: the bench JVM's and its redis-servers'. */
final class BenchCpu {

  private BenchCpu() {}

  /** Returns the CPU time this JVM has used, all threads (driver, Lettuce, stores) together. */
  static long jvmCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /** Returns a redis-server's CPU time, user and system ({@code INFO cpu}, in seconds with µs digits). */
  static long serverCpuNanos(RedisCommands<String, String> server) {
    double seconds = 0;
    for (String line : server.info("cpu").split("\r?\n")) {
      if (line.startsWith("used_cpu_user:") || line.startsWith("used_cpu_sys:")) {
        seconds += Double.parseDouble(line.substring(line.indexOf(':') + 1).trim());
      }
    }
    return Math.round(seconds * 1e9);
  }

  /**
   * Summarizes Redis's own time in the scripting commands over the measured interval ({@code INFO
   * commandstats} of every server, reset before it): calls, µs per call and µs per decision, so a
   * cell's server cost is visible apart from the driver's and the client's.
   */
  static String scriptTime(List<String> infos, double decisions, double seconds) {
    long calls = 0;
    long usec = 0;
    for (String info : infos) {
      for (String line : info.split("\r?\n")) {
        if (line.startsWith("cmdstat_eval")) {
          for (String kv : line.substring(line.indexOf(':') + 1).split(",")) {
            String[] p = kv.split("=");
            if (p[0].equals("calls")) {
              calls += Long.parseLong(p[1]);
            } else if (p[0].equals("usec")) {
              usec += Long.parseLong(p[1]);
            }
          }
        }
      }
    }
    return String.format(Locale.ROOT, "redis scripts: %,d calls, %.1f µs per call, %.2f µs per decision (%.0f %% of one core)",
        calls, calls == 0 ? 0.0 : (double) usec / calls, decisions == 0 ? 0.0 : usec / decisions,
        100.0 * usec / 1e6 / seconds);
  }
}
