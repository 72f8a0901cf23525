package dev.sluice.adaptive.anomaly;

import java.util.List;

/** The standard detectors by name, as {@code sluice detect --detector} knows them. Stateless. */
public final class Detectors {

  /** The names {@link #of} accepts. */
  public static final List<String> NAMES = List.of("auto", "spike", "cusum", "page-hinkley", "multiscale");

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
   * A fresh detector: {@code spike} ({@link SpikeDetector#of()}), {@code cusum} ({@link
   * CusumDetector#of()}), {@code page-hinkley} ({@link PageHinkleyDetector#of()}) or {@code auto}
   * (the maximum of spike and CUSUM: spikes at once, ramps and shifts by accumulation) or {@code
   * multiscale} ({@link #multiscale()}, the set tuned on NAB).
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
      default -> throw new IllegalArgumentException("detector: " + name + " (expected: one of " + String.join(", ", NAMES) + ")");
    };
  }
}
