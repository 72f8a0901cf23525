package dev.sluice.cli.load;

import dev.sluice.sim.Scenario;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * A simulator scenario's open-loop traffic as live load: each source's clients (keys {@code
 * NAME-k}, as the simulator names them, drawn by the source's Zipf exponent) at its per-second rates,
 * runs of equal seconds merged into one constant-rate {@link LoadSource}. The live driver sends at
 * constant intervals where the simulator draws Poisson arrivals; costs and retries are not replayed.
 */
public final class ScenarioLoad {

  private ScenarioLoad() {}

  /** Returns the load sources of {@code sc}, sending to {@code path}; throws for a closed-loop source. */
  public static List<LoadSource> sources(Scenario sc, String path, long seed) {
    List<LoadSource> out = new ArrayList<>();
    long n = 0;
    for (Scenario.Source src : sc.sources()) {
      if (src.closed()) {
        throw new IllegalArgumentException(sc.name() + ": source " + src.name()
            + " has virtual users (expected: open-loop rate: phases only)");
      }
      ClientIds ids = ClientIds.zipf(src.name() + "-", src.clients(), src.zipf(), seed + n++);
      double[] r = src.rates();
      int from = 0;
      for (int s = 1; s <= r.length; s++) {
        if (s == r.length || r[s] != r[from]) {
          if (r[from] > 0) {
            out.add(new LoadSource(src.name(), from, s, r[from], ids, path));
          }
          from = s;
        }
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(sc.name() + ": no traffic (expected: a source with a rate above 0)");
    }
    return out;
  }

  /** Returns phases between the seconds where any source's rate phase begins, named {@code 0-60s}. */
  public static List<LoadPhase> phases(Scenario sc) {
    TreeSet<Integer> cuts = new TreeSet<>();
    cuts.add(0);
    cuts.add(sc.seconds());
    for (Scenario.Source src : sc.sources()) {
      for (int at : src.phaseStarts()) {
        if (at > 0 && at < sc.seconds()) {
          cuts.add(at);
        }
      }
    }
    List<LoadPhase> out = new ArrayList<>();
    Integer prev = null;
    for (int c : cuts) {
      if (prev != null) {
        out.add(new LoadPhase(prev + "-" + c + "s", prev, c));
      }
      prev = c;
    }
    return out;
  }
}
