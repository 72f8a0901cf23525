package dev.sluice.adaptive.anomaly;

import java.util.List;

/** The standard detectors by name, as {@code sluice detect --detector} knows them. Stateless. */
public final class Detectors {

  /** The names {@link #of} accepts. */
  public static final List<String> NAMES = List.of("auto", "spike", "cusum", "page-hinkley");

  private Detectors() {}

  /**
   * A fresh detector: {@code spike} ({@link SpikeDetector#of()}), {@code cusum} ({@link
   * CusumDetector#of()}), {@code page-hinkley} ({@link PageHinkleyDetector#of()}) or {@code auto}
   * (the maximum of spike and CUSUM: spikes at once, ramps and shifts by accumulation).
   *
   * @throws IllegalArgumentException for another name, as {@code detector: NAME (expected: ...)}
   */
  public static Detector of(String name) {
    return switch (name == null ? "" : name) {
      case "spike" -> SpikeDetector.of();
      case "cusum" -> CusumDetector.of();
      case "page-hinkley" -> PageHinkleyDetector.of();
      case "auto" -> CombinedDetector.of(CombinedDetector.Rule.MAX, List.of(SpikeDetector.of(), CusumDetector.of()));
      default -> throw new IllegalArgumentException("detector: " + name + " (expected: one of " + String.join(", ", NAMES) + ")");
    };
  }
}
