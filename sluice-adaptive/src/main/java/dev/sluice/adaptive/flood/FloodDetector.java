package dev.sluice.adaptive.flood;

import java.util.ArrayList;
import java.util.List;
import org.apache.datasketches.frequencies.ErrorType;
import org.apache.datasketches.frequencies.ItemsSketch;
import org.apache.datasketches.hll.HllSketch;

/**
 * Scores one tier's traffic, window by window, for a flood spread over many clients: aggregate
 * demand (tokens asked for) against its EWMA baseline, and the crowd that brings it: distinct
 * active clients that are not established (an HLL sketch, lgK 12: about 1.6 % error in 2.6 KiB)
 * or never-seen clients, above their baselines, relative to the baseline of all distinct active
 * clients (a second HLL). A flood is both: the score is {@code min(demand score, crowd score)}, each
 * mapping its ratio linearly from 0 at 1.5× to 1 at 2.5× (the crowd's ratio is {@code 1 + excess /
 * baseline distinct}), so one client asking for ten times more is not a flood (it is a heavy
 * hitter: the frequent-items sketch, 256 counters, finds clients above a share of the window's
 * demand), and neither is a daily peak of established clients (which the newcomer cap could not
 * act on anyway).
 *
 * <p>The baselines learn from windows the caller says are normal (no anomaly open), ten times more
 * slowly from the others, and start as running means over the warm-up, during which every score is
 * 0. Memory is fixed (two sketches
 * and a few numbers) whatever the number of clients. Thread-safe: {@link #record} and {@link
 * #close} hold this object's monitor, a short critical section (a counter, an HLL update, a
 * frequent-items update).
 */
public final class FloodDetector {

  /** A window's ratio at which a component starts to score. */
  static final double LOW = 1.5;
  /** A window's ratio at which a component scores 1. */
  static final double HIGH = 2.5;
  private static final int LG_K = 12;
  private static final int ITEMS = 256;
  /** The share of a window's demand above which a client is worth watching on its own. */
  public static final double TRACK_SHARE = 0.02;

  /**
   * What one window looked like.
   *
   * @param score the flood score in [0, 1]
   * @param demandScore the demand component alone (also what makes a heavy hitter an offender)
   * @param crowdScore the crowd component alone
   * @param demand tokens asked for in the window
   * @param baselineDemand the demand baseline before this window
   * @param distinct distinct clients in the window (HLL estimate)
   * @param baselineDistinct the distinct-client baseline before this window
   * @param unproven distinct clients in the window that are not established (HLL estimate)
   * @param newcomers clients never seen before, in the window
   * @param heavyHitters clients above the heavy-hitter share of the window's demand, largest first
   * @param frequent clients surely above {@link #TRACK_SHARE} of the window's demand and 10 tokens
   *     (the sketch's lower bound; the per-client watch counts them exactly afterwards)
   */
  public record Reading(double score, double demandScore, double crowdScore, double demand, double baselineDemand,
      double distinct, double baselineDistinct, double unproven, long newcomers, List<Hitter> heavyHitters,
      List<Hitter> frequent) {}

  /**
   * A client above the heavy-hitter share.
   *
   * @param key the client key
   * @param share its estimated share of the window's demand
   */
  public record Hitter(String key, double share) {}

  private final HllSketch distinct = new HllSketch(LG_K);
  private final HllSketch unproven = new HllSketch(LG_K);
  private final ItemsSketch<String> items = new ItemsSketch<>(ITEMS);
  private final double alpha;
  private final long warmupWindows;
  private final double heavyShare;
  private long demand;
  private long newcomers;
  private long windows;
  private double baseDemand;
  private double baseDistinct;
  private double baseNewcomers;
  private double baseUnproven;

  /**
   * A detector whose baselines have time constant {@code baselineWindows} windows, silent for the
   * first {@code warmupWindows}, naming clients above {@code heavyShare} of a window's demand.
   */
  public FloodDetector(double baselineWindows, long warmupWindows, double heavyShare) {
    this.alpha = 1 / Math.max(1, baselineWindows);
    this.warmupWindows = Math.max(1, warmupWindows);
    this.heavyShare = heavyShare;
  }

  /**
   * Counts one request of {@code cost} tokens from {@code key} (fingerprint {@code fp}), {@code
   * newcomer} when the client was never seen before, {@code unproven} when it is not established
   * ({@link SeenClients#established}; a newcomer is unproven too); {@code firstInWindow} when it is
   * the client's first request in this window (the distinct-client sketches need only that one, and
   * their update allocates).
   */
  public synchronized void record(String key, long fp, int cost, boolean newcomer, boolean unproven,
      boolean firstInWindow) {
    demand += cost;
    if (newcomer) {
      newcomers++;
    }
    if (firstInWindow) {
      if (unproven) {
        this.unproven.update(fp);
      }
      distinct.update(fp);
    }
    items.update(key, cost);
  }

  /**
   * Ends the window: scores it against the baselines, lets the baselines learn from it (at a tenth
   * of the pace unless {@code learn}, so a long anomaly slowly becomes the new normal rather than
   * lasting for ever), and starts the next window. Demand is compared with {@code max(baseline,
   * floor)}: a caller passes half the tokens the tier may admit in a window, so demand that fits
   * easily within the limits is never a flood (and a cold baseline cannot raise a false alarm).
   */
  public synchronized Reading close(boolean learn, double floor) {
    double d = demand;
    double n = distinct.getEstimate();
    double u = unproven.getEstimate();
    long k = newcomers;
    windows++;
    double demandScore = 0;
    double crowdScore = 0;
    List<Hitter> hitters = List.of();
    List<Hitter> frequent = frequent(d);
    double bd = baseDemand;
    double bn = baseDistinct;
    if (windows > warmupWindows) {
      demandScore = ramp(d / Math.max(Math.max(1, floor), bd));
      double newcomerExcess = Math.max(0, k - baseNewcomers) / Math.max(1, bn);
      double unprovenExcess = Math.max(0, u - baseUnproven) / Math.max(1, bn);
      crowdScore = ramp(1 + Math.max(unprovenExcess, newcomerExcess));
      hitters = hitters(d, Math.max(d, 2 * floor));
    }
    double score = Math.min(demandScore, crowdScore);
    if (windows <= warmupWindows) {
      double a = 1.0 / windows;
      baseDemand += a * (d - baseDemand);
      baseDistinct += a * (n - baseDistinct);
      baseNewcomers += a * (k - baseNewcomers);
      baseUnproven += a * (u - baseUnproven);
    } else {
      double a = learn ? alpha : alpha / 10;
      baseDemand += a * (d - baseDemand);
      baseDistinct += a * (n - baseDistinct);
      baseNewcomers += a * (k - baseNewcomers);
      baseUnproven += a * (u - baseUnproven);
    }
    demand = 0;
    newcomers = 0;
    distinct.reset();
    unproven.reset();
    items.reset();
    return new Reading(score, demandScore, crowdScore, d, bd, n, bn, u, k, hitters, frequent);
  }

  /** Returns the bytes the two sketches hold at most. */
  public static long sketchBytes() {
    return 2L * HllSketch.getMaxUpdatableSerializationBytes(LG_K, org.apache.datasketches.hll.TgtHllType.HLL_4)
        + ITEMS * 4L * Long.BYTES;
  }

  /**
   * The clients above the heavy-hitter share of {@code base}: the window's demand, or the tokens
   * the tier admits per window when that is more (so in a quiet window one request is not "heavy").
   */
  private List<Hitter> hitters(double total, double base) {
    if (total <= 0) {
      return List.of();
    }
    long threshold = Math.max(1, (long) Math.ceil(base * heavyShare));
    ItemsSketch.Row<String>[] rows = items.getFrequentItems(threshold, ErrorType.NO_FALSE_POSITIVES);
    List<Hitter> out = new ArrayList<>(rows.length);
    for (ItemsSketch.Row<String> r : rows) {
      out.add(new Hitter(r.getItem(), r.getEstimate() / total));
    }
    return List.copyOf(out);
  }

  /** The clients whose lower-bound estimate passes {@link #TRACK_SHARE} of the window's demand (and 10 tokens). */
  private List<Hitter> frequent(double total) {
    if (total <= 0) {
      return List.of();
    }
    long threshold = Math.max(10, (long) Math.ceil(total * TRACK_SHARE));
    ItemsSketch.Row<String>[] rows = items.getFrequentItems(threshold, ErrorType.NO_FALSE_POSITIVES);
    List<Hitter> out = new ArrayList<>(rows.length);
    for (ItemsSketch.Row<String> r : rows) {
      out.add(new Hitter(r.getItem(), r.getEstimate() / total));
    }
    return List.copyOf(out);
  }

  /** Maps a ratio to [0, 1]: 0 up to {@link #LOW}, 1 from {@link #HIGH}, linear between. */
  static double ramp(double ratio) {
    return Math.max(0, Math.min(1, (ratio - LOW) / (HIGH - LOW)));
  }
}
