package dev.sluice.cli.demo;

import dev.sluice.cli.load.LoadPhase;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The demo's story over {@code seconds}: steady traffic from 50 clients in two tiers, a flash
 * crowd, one abusive client, a low-rate flood, a backend slowdown, recovery. Written as a
 * simulator scenario (which the live run also reads: its sources become the load, its backend the
 * demo upstream) and as the Sluice config the live edge runs. Immutable.
 *
 * <p>The backend: {@value #WORKERS} workers, lognormal service of mean {@value #SERVICE_MS} ms (CV
 * 0.5), so about 120 requests per second (modest, so that the driver, the edge and the upstream
 * share two busy cores without starving each other); no 5xx of its own, so every 5xx would be the edge's.
 */
public final class Story {

  /** The demo upstream's workers. */
  public static final int WORKERS = 12;
  /** Its mean service time, ms. */
  public static final int SERVICE_MS = 100;
  /** Its nominal capacity, requests per second. */
  public static final double CAPACITY = WORKERS * 1000.0 / SERVICE_MS;
  /** The one abusive client's id. */
  public static final String ABUSER = "abuser-0";
  /** Premium clients ({@code premium-0..9}); the other 40 steady clients are standard. */
  public static final int PREMIUM = 10;
  /** Standard steady clients. */
  public static final int STANDARD = 40;
  /** Flood clients ({@code flood-0..}), each well under the per-client limit. */
  public static final int FLOOD = 300;

  /** The premium clients' steady load, a fraction of capacity. */
  public static final double PREMIUM_LOAD = 0.15;
  /** The standard clients' steady load, a fraction of capacity. */
  public static final double STANDARD_LOAD = 0.3;

  /** Seconds of the steady clients' traffic before the story starts (the live run's warm-up). */
  public static final int WARM_UP_SECONDS = 3;

  /** Phase names, in order. */
  public static final List<String> PHASES =
      List.of("steady", "flash crowd", "abusive client", "low-rate flood", "backend slowdown", "recovery");
  private static final double[] SHARE = {0.2, 0.15, 0.15, 0.2, 0.15, 0.15};

  private final int seconds;
  private final int[] at;

  /** The story over {@code seconds} (at least 20). */
  public Story(int seconds) {
    if (seconds < 20) {
      throw new IllegalArgumentException("duration: " + seconds + " s (expected: at least 20s)");
    }
    this.seconds = seconds;
    at = new int[PHASES.size() + 1];
    double t = 0;
    for (int i = 0; i < SHARE.length; i++) {
      t += SHARE[i] * seconds;
      at[i + 1] = i + 1 == SHARE.length ? seconds : (int) Math.round(t);
    }
  }

  /** Returns the story's length, seconds. */
  public int seconds() {
    return seconds;
  }

  /** Returns the second phase {@code i} starts. */
  public int start(int i) {
    return at[i];
  }

  /** Returns the phases as load phases. */
  public List<LoadPhase> phases() {
    List<LoadPhase> out = new ArrayList<>();
    for (int i = 0; i < PHASES.size(); i++) {
      out.add(new LoadPhase(PHASES.get(i), at[i], at[i + 1]));
    }
    return out;
  }

  private int len(int i) {
    return at[i + 1] - at[i];
  }

  /**
   * The anomaly response's timing, scaled to the steady phase so that a 20 s run can learn a
   * baseline: the detector warms up over the warm-up traffic and half the steady phase, and its
   * baselines follow demand with a time constant of three steady phases (so the flash crowd does
   * not make the abuser that follows it look normal).
   */
  private Map<String, String> anomaly() {
    Map<String, String> a = new LinkedHashMap<>();
    int steady = len(0);
    a.put("window", seconds < 60 ? "500ms" : "1s");
    a.put("warmup", ms(WARM_UP_SECONDS + steady * 0.5));
    a.put("baseline", ms(3 * steady));
    a.put("probation", ms(steady * 0.5));
    a.put("recovery", ms(len(3) * 0.5));
    // each of the 10 premium clients sends 10 % of its tier: the default 5 % would make all of them
    // heavy hitters whenever the tier's demand moves; the abuser sends 75 % of the standard tier's
    a.put("heavy-hitter-share", "0.25");
    return a;
  }

  /**
   * The control loop's bounds: 0.2 to 1.5 times capacity. The upper one also keeps the anomaly
   * detector's floor (half the tokens the pool admits per window) below the abuser's and the
   * flood's demand: a loop free to open the rate far beyond capacity while the backend idles would
   * lift the floor above them.
   */
  private static String limits() {
    return String.format(Locale.ROOT, "{min-rate: %.0f/s, max-rate: %.0f/s}", 0.2 * CAPACITY, 1.5 * CAPACITY);
  }

  private static String ms(double s) {
    return Math.round(s * 1000) + "ms";
  }

  /** Returns the story as a simulator scenario (YAML). */
  public String scenarioYaml() {
    StringBuilder sb = new StringBuilder();
    sb.append("# The sluice demo story over ").append(seconds).append(" s (written by sluice demo).\n");
    sb.append("name: demo-story\n");
    sb.append("description: >\n  sluice demo: steady traffic from 50 clients in two tiers, a flash crowd, one abusive\n"
        + "  client, a low-rate flood of new clients, the backend slowing down threefold, recovery.\n");
    sb.append("seeds: 1\nslo: 300ms\n");
    sb.append(String.format(Locale.ROOT, """
        backend:
          workers: %d
          service: {distribution: lognormal, mean: %dms, cv: 0.5}
          deadline: 5s
          error-rate: 0
          overload-errors: 0
          schedule:
            - {at: %ds, service-factor: 3}
            - {at: %ds, service-factor: 1}
        limiter:
          global-burst: 100ms
          tiers:
            premium: {per-client: {burst: 40, rate: 20/s}}
            standard: {per-client: {burst: 20, rate: 10/s}}
        sources:
        """, WORKERS, SERVICE_MS, at[4], at[5]));
    // steady: premium 0.15x, standard 0.3x of capacity; the flash crowd: standard at 2x
    source(sb, "premium", PREMIUM, 0.5, "premium", true, phase(0, 6, PREMIUM_LOAD));
    source(sb, "standard", STANDARD, 0.5, "standard", true,
        phase(0, 1, STANDARD_LOAD) + phase(1, 2, 2.0) + phase(2, 6, STANDARD_LOAD));
    source(sb, "abuser", 1, 0, "standard", false, phase(0, 2, 0) + phase(2, 3, 2.0) + phase(3, 6, 0));
    source(sb, "flood", FLOOD, 0, "standard", false, phase(0, 3, 0) + phase(3, 4, 2.0) + phase(4, 6, 0));
    sb.append("adaptive:\n  limits: ").append(limits()).append("\n  anomaly:\n    enabled: true\n");
    anomaly().forEach((k, v) -> sb.append("    ").append(k).append(": ").append(v).append('\n'));
    return sb.toString();
  }

  private String phase(int from, int to, double x) {
    return String.format(Locale.ROOT, "      - {for: %ds, rate: %sx}%n", at[to] - at[from], x);
  }

  private static void source(StringBuilder sb, String name, int clients, double zipf, String tier, boolean compliant,
      String rates) {
    sb.append(String.format(Locale.ROOT, "  - name: %s%n    clients: %d%n    zipf: %s%n    tier: %s%n"
        + "    compliant: %s%n    rate:%n%s", name, clients, zipf, tier, compliant, rates));
  }

  /**
   * Returns the config of the live edge: a proxy to {@code upstream} on {@code port} (0 = free),
   * the admin API on a free port with {@code token}, the scenario's tiers (premium clients named
   * in {@code identity.clients}), the {@code default} adaptive policy with a global concurrency
   * level, and the anomaly response on.
   */
  public String sluiceYaml(String upstream, int port, String token) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, """
        server: {bind: 127.0.0.1, port: %d, admin-bind: 127.0.0.1, admin-port: 0, admin-token: "%s"}
        upstream: {url: "%s", timeout: 5s}
        identity:
          client-header: X-Client-ID
          default-tier: standard
          clients:
        """, port, token, upstream));
    for (int i = 0; i < PREMIUM; i++) {
      sb.append("    premium-").append(i).append(": premium\n");
    }
    sb.append(String.format(Locale.ROOT, """
        tiers:
          premium:
            per-client: {burst: 40, rate: 20/s}
          standard:
            per-client: {burst: 20, rate: 10/s}
        global: {burst: %d, rate: %.0f/s, concurrency: %d}
        adaptive:
          enabled: true
          interval: %s
          limits: %s
          anomaly:
            enabled: true
        """, Math.round(CAPACITY / 10), CAPACITY, 2 * WORKERS, seconds < 60 ? "500ms" : "1s", limits()));
    anomaly().forEach((k, v) -> sb.append("    ").append(k).append(": ").append(v).append('\n'));
    return sb.toString();
  }
}
