package dev.sluice.cli.load;

import dev.sluice.core.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The stages of {@code sluice bench --stages 30s:1000,10s:10000,30s:1000}: a comma-separated list
 * of {@code DURATION:RATE}, each a span at a constant arrival rate (requests per second), one after
 * the other, as k6's stages.
 */
public final class Stages {

  /** What {@code --stages} expects, for messages. */
  public static final String EXPECTED = "comma-separated DURATION:RATE such as 30s:1000,10s:10000,30s:1000";

  private Stages() {}

  /**
   * One stage.
   *
   * @param duration how long it lasts (at least 1 s)
   * @param rate requests per second (&gt; 0)
   */
  public record Stage(Duration duration, double rate) {}

  /** Parses {@code text}; throws {@link IllegalArgumentException} naming the bad part. */
  public static List<Stage> parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("--stages: empty (expected: " + EXPECTED + ")");
    }
    List<Stage> out = new ArrayList<>();
    for (String part : text.split(",", -1)) {
      String p = part.strip();
      int colon = p.indexOf(':');
      if (colon < 0) {
        throw new IllegalArgumentException("--stages: '" + p + "': no ':' (expected: " + EXPECTED + ")");
      }
      Duration d;
      try {
        d = Durations.parse(p.substring(0, colon).strip());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--stages: '" + p + "': bad duration (expected: " + Durations.EXPECTED
            + ")", e);
      }
      if (d.compareTo(Duration.ofSeconds(1)) < 0) {
        throw new IllegalArgumentException("--stages: '" + p + "': " + d.toMillis() + " ms (expected: at least 1s)");
      }
      double rate;
      try {
        rate = Double.parseDouble(p.substring(colon + 1).strip().replaceAll("(?i)/s$", ""));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--stages: '" + p + "': bad rate (expected: requests per second, e.g. 1000)",
            e);
      }
      if (!(rate > 0) || rate > 1_000_000) {
        throw new IllegalArgumentException(String.format(Locale.ROOT,
            "--stages: '%s': rate %s (expected: 0 < requests per second <= 1000000)", p, rate));
      }
      out.add(new Stage(d, rate));
    }
    return List.copyOf(out);
  }

  /** Returns the stages as consecutive phases named {@code 1: 30s @ 1000/s}, .... */
  public static List<LoadPhase> phases(List<Stage> stages) {
    List<LoadPhase> out = new ArrayList<>();
    double t = 0;
    for (int i = 0; i < stages.size(); i++) {
      Stage s = stages.get(i);
      double end = t + s.duration().toNanos() / 1e9;
      out.add(new LoadPhase(String.format(Locale.ROOT, "%d: %ss @ %s/s", i + 1, trim(end - t), trim(s.rate())), t, end));
      t = end;
    }
    return out;
  }

  /** Returns one source per stage: {@code clients} sending to {@code path} at the stage's rate. */
  public static List<LoadSource> sources(List<Stage> stages, ClientIds clients, String path) {
    List<LoadSource> out = new ArrayList<>();
    List<LoadPhase> phases = phases(stages);
    for (int i = 0; i < stages.size(); i++) {
      LoadPhase p = phases.get(i);
      out.add(new LoadSource("stage " + (i + 1), p.startSeconds(), p.endSeconds(), stages.get(i).rate(), clients, path));
    }
    return out;
  }

  private static String trim(double x) {
    return x == Math.rint(x) ? Long.toString((long) x) : Double.toString(x);
  }
}
