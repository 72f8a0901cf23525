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
 * 0.5), so about 250 requests per second; no 5xx of its own, so every 5xx would be the edge's.
 */
public final class Story {

  /** The demo upstream's workers. */
  public static final int WORKERS = 10;
  /** Its mean service time, ms. */
  public static final int SERVICE_MS = 40;
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

  /** The anomaly response's timing, scaled to the steady phase so that a 20 s run can learn a baseline. */
  private Map<String, String> anomaly() {
    Map<String, String> a = new LinkedHashMap<>();
    int steady = len(0);
    a.put("window", seconds < 60 ? "250ms" : "1s");
    a.put("warmup", ms(steady * 0.6));
    a.put("baseline", ms(Math.max(steady, 2)));
    a.put("probation", ms(steady * 0.5));
    a.put("recovery", ms(len(3) * 0.5));
    return a;
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
    // steady: premium 0.2x, standard 0.4x of capacity; the flash crowd: standard at 2x
    source(sb, "premium", PREMIUM, 0.5, "premium", true, phase(0, 6, 0.2));
    source(sb, "standard", STANDARD, 0.5, "standard", true,
        phase(0, 1, 0.4) + phase(1, 2, 2.0) + phase(2, 6, 0.4));
    source(sb, "abuser", 1, 0, "standard", false, phase(0, 2, 0) + phase(2, 3, 1.2) + phase(3, 6, 0));
    source(sb, "flood", FLOOD, 0, "standard", false, phase(0, 3, 0) + phase(3, 4, 1.6) + phase(4, 6, 0));
    sb.append("adaptive:\n  limits: {min-rate: 25/s, max-rate: 1000/s}\n  anomaly:\n    enabled: true\n");
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
          limits: {min-rate: 25/s, max-rate: 1000/s}
          anomaly:
            enabled: true
        """, Math.round(CAPACITY / 10), CAPACITY, 2 * WORKERS, seconds < 60 ? "500ms" : "1s"));
    anomaly().forEach((k, v) -> sb.append("    ").append(k).append(": ").append(v).append('\n'));
    return sb.toString();
  }
}
