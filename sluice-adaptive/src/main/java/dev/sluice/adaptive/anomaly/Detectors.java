package dev.sluice.adaptive.anomaly;

import java.util.List;

/** The standard detectors by name, as {@code sluice detect --detector} knows them. Stateless. */
public final class Detectors {

  /** The names {@link #of} accepts. */
  public static final List<String> NAMES = List.of("auto", "spike", "cusum", "page-hinkley", "multiscale",
      "novelty");

  /** The warm-up {@link #novelty(int)} gets from {@link #of(String)}, when the series' length is unknown. */
  public static final int DEFAULT_WARMUP = 750;

  private Detectors() {}

  /**
   * The one parameter set tuned on the NAB corpus (docs/anomaly.md): the maximum of three spike
   * detectors, on the value and on its means over the last 6 and 36 windows (k = 11, EWMA 0.05
   * baseline, EWMA |residual| 0.002 spread), and CUSUM (k 0.5, h 15, EWMA 0.1), each alarm reported
   * once and the next 300 windows quiet. About 50 doubles of state.
   */
  public static Detector multiscale() {
    List<Detector> parts = new java.util.ArrayList<>();
    for (int m : new int[] {1, 6, 36}) {
      parts.add(SpikeDetector.builder().halfScoreSigma(11).baseline(Baseline.ewma(0.05))
          .spread(Spread.ewmaAbsolute(0.002)).average(m).build());
    }
    parts.add(CusumDetector.of(0.5, 15, 0.1));
    return HoldOffDetector.of(CombinedDetector.of(CombinedDetector.Rule.MAX, parts), 300);
  }

  /**
   * The prototype-novelty detector with the one parameter set tuned on NAB (docs/anomaly.md): the
   * recent history as the means of the last 4 blocks of 4 values and the last 2 blocks of 36,
   * vigilance 0.1 of the warm-up range, learning rate 0.02, at most 200 prototypes, each alarm
   * reported once and the next {@code 0.4 · warmup} windows quiet. About 1,300 doubles of state.
   *
   * @param warmup windows that only learn; NAB's convention is {@link #warmupFor(int)}
   */
  public static Detector novelty(int warmup) {
    Checks.atLeast("warmup", warmup, 2);
    return NoveltyDetector.of(new NoveltyDetector.Settings(warmup, new int[] {4, 4, 36, 2}, 0.1, 0.02, 200,
        (int) (0.4 * warmup)));
  }

  /**
   * NAB's probationary period for a series of {@code rows} windows, used as the warm-up: {@code
   * min(⌊0.15 · rows⌋, 750)}, at least 2.
   */
  public static int warmupFor(int rows) {
    return (int) Math.max(2, Math.min(Math.floor(0.15 * rows), DEFAULT_WARMUP));
  }

  /**
   * As {@link #of(String)}, for a series known to hold {@code rows} windows: {@code novelty} then
   * warms up for {@link #warmupFor(int) warmupFor(rows)} windows; the others ignore {@code rows}.
   */
  public static Detector of(String name, int rows) {
    return "novelty".equals(name) ? novelty(warmupFor(Checks.atLeast("rows", rows, 0))) : of(name);
  }

  /**
   * A fresh detector: {@code spike} ({@link SpikeDetector#of()}), {@code cusum} ({@link
   * CusumDetector#of()}), {@code page-hinkley} ({@link PageHinkleyDetector#of()}) or {@code auto}
   * (the maximum of spike and CUSUM: spikes at once, ramps and shifts by accumulation) or {@code
   * multiscale} ({@link #multiscale()}, the set tuned on NAB) or {@code novelty} ({@link
   * #novelty(int)} with a warm-up of {@value #DEFAULT_WARMUP} windows).
   *
   * @throws IllegalArgumentException for another name, as {@code detector: NAME (expected: ...)}
   */
  public static Detector of(String name) {
    return switch (name == null ? "" : name) {
      case "spike" -> SpikeDetector.of();
      case "cusum" -> CusumDetector.of();
      case "page-hinkley" -> PageHinkleyDetector.of();
      case "auto" -> CombinedDetector.of(CombinedDetector.Rule.MAX, List.of(SpikeDetector.of(), CusumDetector.of()));
      case "multiscale" -> multiscale();
      case "novelty" -> novelty(DEFAULT_WARMUP);
      default -> throw new IllegalArgumentException("detector: " + name + " (expected: one of " + String.join(", ", NAMES) + ")");
    };
  }
}
