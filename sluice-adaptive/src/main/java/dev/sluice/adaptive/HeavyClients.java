package dev.sluice.adaptive;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The heavy clients of the {@link PredictiveController}: the demand history of at most {@code 2k}
 * candidate clients, and the forecast targets of the {@code k} heaviest of them. Memory is bounded
 * by {@code 2k × history} values whatever the number of clients. Not thread-safe: only the
 * controller's run (the control loop's thread) calls it.
 *
 * <p>Each closed interval ({@link #close}) appends every candidate's demand (0 when it sent
 * nothing) and updates its recent demand (an EWMA with weight {@link #RECENT_WEIGHT}); a client in
 * the interval's report ({@link Signals#clientDemand()}) that is not a candidate becomes one if
 * there is room, or replaces the candidate with the lowest recent demand when it asked for more
 * than that. {@link #forecast} forecasts the {@code k} candidates with the highest recent demand
 * that have at least {@code min-history} windows; a client that leaves them gets no target, and
 * the loop returns it to the tier's per-client limit.
 */
public final class HeavyClients {

  /** The largest {@code k}. */
  public static final int MAX_K = 1024;
  /** The weight of the newest window in a candidate's recent demand. */
  static final double RECENT_WEIGHT = 0.3;

  private record Id(String tier, String key) {}

  private static final class Candidate {
    final Id id;
    final double[] values;
    int next;
    int size;
    double recent;

    Candidate(Id id, int history) {
      this.id = id;
      this.values = new double[history];
    }

    void add(double v) {
      values[next] = v;
      next = (next + 1) % values.length;
      size = Math.min(size + 1, values.length);
      recent = size == 1 ? v : recent + RECENT_WEIGHT * (v - recent);
    }

    double[] toArray() {
      double[] out = new double[size];
      int start = (next - size + values.length) % values.length;
      for (int i = 0; i < size; i++) {
        out[i] = values[(start + i) % values.length];
      }
      return out;
    }
  }

  /** Heaviest recent demand first; ties by tier and key, so the choice is deterministic. */
  private static final Comparator<Candidate> HEAVIEST = Comparator.<Candidate>comparingDouble(c -> -c.recent)
      .thenComparing(c -> c.id.tier).thenComparing(c -> c.id.key);

  private final int k;
  private final int history;
  private final int minHistory;
  private final Map<Id, Candidate> candidates = new HashMap<>();

  /**
   * Creates an empty set.
   *
   * @param k how many clients get a target, 1 to {@link #MAX_K}
   * @param history how many windows each candidate keeps
   * @param minHistory how many windows a candidate needs before it is forecast
   */
  public HeavyClients(int k, int history, int minHistory) {
    if (k < 1 || k > MAX_K || minHistory < 1 || history < minHistory) {
      throw new IllegalArgumentException("heavy clients: k " + k + ", history " + history + ", min-history "
          + minHistory + " (expected: 1 <= k <= " + MAX_K + ", 1 <= min-history <= history)");
    }
    this.k = k;
    this.history = history;
    this.minHistory = minHistory;
  }

  /**
   * Closes one interval of {@code intervalNanos} in which the reported clients asked for {@code
   * demand} tokens (by tier and key).
   */
  public void close(Map<String, Map<String, Long>> demand, long intervalNanos) {
    double perSecond = 1e9 / intervalNanos;
    for (Candidate c : candidates.values()) {
      Map<String, Long> tier = demand.get(c.id.tier);
      Long tokens = tier == null ? null : tier.get(c.id.key);
      c.add(tokens == null ? 0 : tokens * perSecond);
    }
    List<Map.Entry<Id, Double>> fresh = new ArrayList<>();
    for (Map.Entry<String, Map<String, Long>> t : demand.entrySet()) {
      for (Map.Entry<String, Long> e : t.getValue().entrySet()) {
        Id id = new Id(t.getKey(), e.getKey());
        if (!candidates.containsKey(id)) {
          fresh.add(Map.entry(id, e.getValue() * perSecond));
        }
      }
    }
    fresh.sort(Comparator.<Map.Entry<Id, Double>>comparingDouble(e -> -e.getValue())
        .thenComparing(e -> e.getKey().tier).thenComparing(e -> e.getKey().key));
    for (Map.Entry<Id, Double> e : fresh) {
      if (candidates.size() >= 2 * k) {
        Candidate lightest = Collections.max(candidates.values(), HEAVIEST);
        if (lightest.recent >= e.getValue()) {
          break; // the rest are lighter still
        }
        candidates.remove(lightest.id);
      }
      Candidate c = new Candidate(e.getKey(), history);
      c.add(e.getValue());
      candidates.put(c.id, c);
    }
  }

  /**
   * Returns the forecast targets of the {@code k} heaviest candidates with enough history, by tier
   * and key: {@code runner} forecasts a history (or returns {@code null}: that client gets no
   * target), and the target is {@link PredictiveController#shareTarget}.
   */
  public Map<String, Map<String, Double>> forecast(Function<double[], DemandForecaster.Forecast> runner,
      double headroom) {
    List<Candidate> ready = new ArrayList<>();
    for (Candidate c : candidates.values()) {
      if (c.size >= minHistory && c.recent > 0) {
        ready.add(c);
      }
    }
    ready.sort(HEAVIEST);
    Map<String, Map<String, Double>> out = new LinkedHashMap<>();
    for (Candidate c : ready.subList(0, Math.min(k, ready.size()))) {
      DemandForecaster.Forecast f = runner.apply(c.toArray());
      if (f != null) {
        out.computeIfAbsent(c.id.tier, t -> new LinkedHashMap<>())
            .put(c.id.key, PredictiveController.shareTarget(f, headroom));
      }
    }
    out.replaceAll((t, m) -> Collections.unmodifiableMap(m));
    return Collections.unmodifiableMap(out);
  }

  /** Returns how many candidates it tracks now (at most {@code 2k}). */
  public int candidates() {
    return candidates.size();
  }
}
