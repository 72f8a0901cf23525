package dev.sluice.adaptive.anomaly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The detectors on synthetic series with known change points, over many fixed seeds: detection
 * delay and false alarms within stated bounds (the figures are in docs/anomaly.md), bounded memory,
 * validation messages.
 */
class DetectorsTest {

  static final int SEEDS = 1000;
  static final long STEP = 10_000_000_000L; // 10 s windows
  static final double MEAN = 100;
  static final double SIGMA = 10;

  /** Starts near Long.MAX_VALUE on odd seeds: only differences of time may matter. */
  static long start(int seed) {
    return seed % 2 == 0 ? 0 : Long.MAX_VALUE - 1_000_000L * STEP;
  }

  static double noise(Random r) {
    return MEAN + SIGMA * r.nextGaussian();
  }

  @Test
  void aFiveSigmaSpikeIsFlaggedInItsOwnWindowInAtLeast99PercentOfSeeds() {
    for (Supplier<Detector> make : List.<Supplier<Detector>>of(SpikeDetector::of, () -> Detectors.of("auto"))) {
      int flagged = 0;
      for (int seed = 0; seed < SEEDS; seed++) {
        Random r = new Random(seed);
        Detector d = make.get();
        long t = start(seed);
        for (int i = 0; i < 500; i++) {
          d.update(t += STEP, noise(r));
        }
        if (d.update(t + STEP, MEAN + 5 * SIGMA) >= 0.5) {
          flagged++;
        }
      }
      System.out.printf(Locale.ROOT, "5-sigma spike flagged in its window: %d / %d seeds%n", flagged, SEEDS);
      assertThat(flagged).isGreaterThanOrEqualTo(990);
    }
  }

  @Test
  void stationaryNoiseRaisesFewFalseAlarms() {
    Map<String, Double> bound = Map.of("spike", 1.5, "cusum", 0.6, "page-hinkley", 0.3, "auto", 2.0, "multiscale", 0.5,
        "novelty", 2.0);
    for (String name : Detectors.NAMES) {
      long alarms = 0;
      int seeds = 100;
      for (int seed = 0; seed < seeds; seed++) {
        Random r = new Random(seed);
        Detector d = Detectors.of(name);
        long t = start(seed);
        for (int i = 0; i < 10_000; i++) {
          if (d.update(t += STEP, noise(r)) >= 0.5) {
            alarms++;
          }
        }
      }
      double per10k = alarms / (double) seeds;
      System.out.printf(Locale.ROOT, "%s: %.2f false alarms per 10,000 points of Gaussian noise%n", name, per10k);
      assertThat(per10k).as(name).isLessThan(bound.get(name));
    }
  }

  /** An hour of Poisson-like counts at 100 per 10 s, then a linear ramp to ×10 over the next hour. */
  @Test
  void aTenfoldRampOverAnHourIsCaughtBeforeTheRateDoubles() {
    int doubledAt = 40; // windows of 10 s: 100 → 1000 over 360 windows, 2× after 40
    for (String name : List.of("cusum", "page-hinkley", "auto")) {
      int caught = 0;
      long delaySum = 0;
      int worst = 0;
      for (int seed = 0; seed < SEEDS; seed++) {
        Random r = new Random(seed);
        Detector d = Detectors.of(name);
        long t = start(seed);
        for (int i = 0; i < 360; i++) {
          d.update(t += STEP, MEAN + Math.sqrt(MEAN) * r.nextGaussian());
        }
        int at = -1;
        for (int i = 1; i <= 360 && at < 0; i++) {
          double rate = MEAN * (1 + 9.0 * i / 360);
          if (d.update(t += STEP, rate + Math.sqrt(rate) * r.nextGaussian()) >= 0.5) {
            at = i;
          }
        }
        if (at > 0 && at < doubledAt) {
          caught++;
          delaySum += at;
          worst = Math.max(worst, at);
        }
      }
      System.out.printf(Locale.ROOT, "%s: ramp caught before 2x in %d / %d seeds, mean %.1f windows (x%.2f), worst %d%n",
          name, caught, SEEDS, delaySum / (double) Math.max(1, caught), 1 + 9.0 * delaySum / Math.max(1, caught) / 360,
          worst);
      assertThat(caught).as(name).isGreaterThanOrEqualTo(990);
    }
  }

  /** A lasting shift of +2σ: CUSUM and Page-Hinkley find it within 15 windows in ≥ 95 % of seeds. */
  @Test
  void aTwoSigmaLevelShiftIsCaughtWithinFifteenWindows() {
    for (String name : List.of("cusum", "page-hinkley")) {
      int caught = 0;
      long delaySum = 0;
      for (int seed = 0; seed < SEEDS; seed++) {
        Random r = new Random(seed);
        Detector d = Detectors.of(name);
        long t = start(seed);
        for (int i = 0; i < 500; i++) {
          d.update(t += STEP, noise(r));
        }
        for (int i = 1; i <= 15; i++) {
          if (d.update(t += STEP, noise(r) + 2 * SIGMA) >= 0.5) {
            caught++;
            delaySum += i;
            break;
          }
        }
      }
      System.out.printf(Locale.ROOT, "%s: +2 sigma shift caught within 15 windows in %d / %d seeds, mean delay %.1f%n",
          name, caught, SEEDS, delaySum / (double) Math.max(1, caught));
      assertThat(caught).as(name).isGreaterThanOrEqualTo(950);
    }
  }

  @Test
  void spreadsEstimateSigmaOfGaussianResiduals() {
    Spread ewma = Spread.ewmaAbsolute(0.001);
    Spread mad = Spread.mad(1001);
    Random r = new Random(9);
    for (int i = 0; i < 20_000; i++) {
      double x = SIGMA * r.nextGaussian();
      ewma.observe(x);
      mad.observe(x);
    }
    assertThat(ewma.scale()).isCloseTo(SIGMA, org.assertj.core.api.Assertions.within(0.6));
    assertThat(mad.scale()).isCloseTo(SIGMA, org.assertj.core.api.Assertions.within(0.8));
    assertThat(Spread.mad(5).scale()).isNaN();
    Baseline b = Baseline.ewma(0.01);
    b.observe(0, 1);
    b.observe(1, 3);
    assertThat(b.forecast()).as("the plain mean at first").isEqualTo(2);
  }

  @Test
  void aLoneSpikeIsNotADrift() {
    int alarms = 0;
    for (int seed = 0; seed < 200; seed++) {
      Random r = new Random(seed);
      Detector d = CusumDetector.of();
      long t = start(seed);
      for (int i = 0; i < 300; i++) {
        d.update(t += STEP, noise(r));
      }
      alarms += d.update(t += STEP, MEAN + 20 * SIGMA) >= 0.5 ? 1 : 0;
    }
    assertThat(alarms).isZero();
  }

  @Test
  void memoryDoesNotGrowWithTheSeriesLength() {
    for (String name : Detectors.NAMES) {
      Detector d = Detectors.of(name);
      Random r = new Random(1);
      long t = 0;
      for (int i = 0; i < 1_000; i++) {
        d.update(t += STEP, noise(r));
      }
      long small = deepSize(d);
      for (int i = 0; i < 1_000_000; i++) {
        d.update(t += STEP, noise(r) + (i % 5000 == 0 ? 50 * SIGMA : 0));
      }
      assertThat(deepSize(d)).as(name).isEqualTo(small);
    }
    Detector mad = SpikeDetector.builder().spread(Spread.mad(64)).build();
    long t = 0;
    for (int i = 0; i < 100; i++) {
      mad.update(t += STEP, i);
    }
    long small = deepSize(mad);
    for (int i = 0; i < 100_000; i++) {
      mad.update(t += STEP, i);
    }
    assertThat(deepSize(mad)).isEqualTo(small);
  }

  @Test
  void scoresStayInTheUnitIntervalAndIgnoreNonFiniteValues() {
    for (String name : Detectors.NAMES) {
      Detector d = Detectors.of(name);
      Random r = new Random(3);
      long t = 0;
      for (int i = 0; i < 5_000; i++) {
        double v = switch (i % 97) {
          case 0 -> 1e300;
          case 1 -> -1e300;
          case 2 -> Double.NaN;
          case 3 -> Double.POSITIVE_INFINITY;
          default -> r.nextGaussian() * (i % 1000 < 10 ? 0 : 5);
        };
        double s = d.update(t += STEP, v);
        assertThat(s).as(name + " at " + i).isBetween(0.0, 1.0);
      }
    }
  }

  @Test
  void aFlatSeriesScoresZeroUntilItMoves() {
    Detector d = SpikeDetector.of();
    long t = 0;
    for (int i = 0; i < 100; i++) {
      assertThat(d.update(t += STEP, 42)).isZero();
    }
    assertThat(d.update(t + STEP, 50)).isGreaterThan(0.99);
  }

  @Test
  void copiesStartFromNothingWithTheSameSettings() {
    for (String name : Detectors.NAMES) {
      Detector a = Detectors.of(name);
      Random r = new Random(5);
      long t = 0;
      double[] xs = new double[2_000];
      for (int i = 0; i < xs.length; i++) {
        xs[i] = noise(r) + (i > 1_000 ? 3 * SIGMA : 0);
      }
      Detector fresh = a.copy();
      for (double x : xs) {
        t += STEP;
        assertThat(fresh.update(t, x)).isEqualTo(a.update(t, x));
      }
    }
  }

  @Test
  void combinedRulesAndKinds() {
    Detector spikeThenFlat = new Fixed(AnomalyKind.SPIKE, 0.5);
    Detector drift = new Fixed(AnomalyKind.DRIFT, 0.6);
    CombinedDetector max = CombinedDetector.of(CombinedDetector.Rule.MAX, List.of(spikeThenFlat, drift));
    assertThat(max.update(0, 1)).isEqualTo(0.6);
    assertThat(max.kind()).isEqualTo(AnomalyKind.DRIFT);
    CombinedDetector or = CombinedDetector.of(CombinedDetector.Rule.NOISY_OR, List.of(spikeThenFlat, drift));
    assertThat(or.update(0, 1)).isCloseTo(0.8, org.assertj.core.api.Assertions.within(1e-12));
    assertThat(or.score(0, 1)).isEqualTo(new Score(AnomalyKind.DRIFT, 1 - 0.5 * 0.4));
  }

  @Test
  void badSettingsAreRejectedWithTheirValue() {
    assertThatThrownBy(() -> Baseline.ewma(0)).hasMessage("alpha: 0.0 (expected: > 0 and <= 1)");
    assertThatThrownBy(() -> Spread.mad(1)).hasMessage("window: 1 (expected: >= 3)");
    assertThatThrownBy(() -> SpikeDetector.builder().halfScoreSigma(-3)).hasMessage("halfScoreSigma: -3.0 (expected: > 0)");
    assertThatThrownBy(() -> CusumDetector.of(-1, 5, 0.1)).hasMessage("k: -1.0 (expected: >= 0)");
    assertThatThrownBy(() -> PageHinkleyDetector.of(0.5, 0)).hasMessage("lambda: 0.0 (expected: > 0)");
    assertThatThrownBy(() -> new Score(AnomalyKind.SPIKE, 1.5)).hasMessage("value: 1.5 (expected: >= 0 and <= 1)");
    assertThatThrownBy(() -> Detectors.of("zscore"))
        .hasMessage("detector: zscore (expected: one of auto, spike, cusum, page-hinkley, multiscale, novelty)");
    assertThatThrownBy(() -> CombinedDetector.of(CombinedDetector.Rule.MAX, List.of()))
        .hasMessage("parts: [] (expected: at least one detector)");
  }

  private record Fixed(AnomalyKind kind, double value) implements Detector {
    @Override
    public double update(long nanos, double v) {
      return value;
    }

    @Override
    public Detector copy() {
      return this;
    }
  }

  /** Bytes-ish size of the object graph: 8 per field or array slot, walked by reflection. */
  static long deepSize(Object root) {
    Map<Object, Boolean> seen = new IdentityHashMap<>();
    java.util.ArrayDeque<Object> todo = new java.util.ArrayDeque<>(List.of(root));
    long size = 0;
    while (!todo.isEmpty()) {
      Object o = todo.pop();
      if (seen.put(o, true) != null) {
        continue;
      }
      Class<?> c = o.getClass();
      if (c.isArray()) {
        int n = Array.getLength(o);
        size += 8L * n;
        if (!c.getComponentType().isPrimitive()) {
          for (int i = 0; i < n; i++) {
            Object e = Array.get(o, i);
            if (e != null) {
              todo.push(e);
            }
          }
        }
        continue;
      }
      if (c.isEnum() || c.getName().startsWith("java.")) {
        if (o instanceof List<?> l) {
          size += 8L * l.size();
          l.forEach(todo::push);
        }
        continue;
      }
      for (Class<?> k = c; k != null; k = k.getSuperclass()) {
        for (Field f : k.getDeclaredFields()) {
          if (Modifier.isStatic(f.getModifiers())) {
            continue;
          }
          size += 8;
          if (!f.getType().isPrimitive()) {
            f.setAccessible(true);
            try {
              Object v = f.get(o);
              if (v != null) {
                todo.push(v);
              }
            } catch (IllegalAccessException e) {
              throw new AssertionError(e);
            }
          }
        }
      }
    }
    return size;
  }
}
