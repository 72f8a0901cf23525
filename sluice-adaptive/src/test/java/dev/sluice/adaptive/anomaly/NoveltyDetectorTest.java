package dev.sluice.adaptive.anomaly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link NoveltyDetector} (through {@link Detectors#novelty(int)}, the NAB-tuned set) on synthetic
 * five-minute series with a daily cycle, over fixed seeds: a level shift and a changed daily
 * pattern are caught within stated bounds, stationary series raise few alarms, the warm-up only
 * learns, an alarm is reported once per hold-off. Figures in docs/anomaly.md.
 */
class NoveltyDetectorTest {

  static final int SEEDS = 200;
  static final long STEP = 300_000_000_000L; // 5-minute windows, as most NAB series
  static final int DAY = 288;
  static final int WARMUP = 750;

  /** A daily cycle of amplitude 20 around 100 with Gaussian noise σ 3. */
  static double daily(int i, Random r) {
    return 100 + 20 * Math.sin(2 * Math.PI * i / DAY) + 3 * r.nextGaussian();
  }

  static long start(int seed) {
    return seed % 2 == 0 ? 0 : Long.MAX_VALUE - 100_000L * STEP;
  }

  @Test
  void aLevelShiftIsCaughtWithinEightWindows() {
    int caught = 0;
    long delaySum = 0;
    int worst = 0;
    for (int seed = 0; seed < SEEDS; seed++) {
      Random r = new Random(seed);
      Detector d = Detectors.novelty(WARMUP);
      long t = start(seed);
      int shiftAt = 3000 + r.nextInt(DAY);
      int at = -1;
      for (int i = 0; i < shiftAt + 100 && at < 0; i++) {
        double v = daily(i, r) + (i >= shiftAt ? 40 : 0);
        double s = d.update(t += STEP, v);
        if (s >= 0.5 && i >= shiftAt) {
          at = i - shiftAt;
        }
      }
      if (at >= 0 && at < 8) {
        caught++;
        delaySum += at;
        worst = Math.max(worst, at);
      }
    }
    System.out.printf(Locale.ROOT, "novelty: +40 shift caught within 8 windows in %d / %d seeds, mean delay %.2f,"
        + " worst %d%n", caught, SEEDS, delaySum / (double) Math.max(caught, 1), worst);
    assertThat(caught).isGreaterThanOrEqualTo(SEEDS * 99 / 100);
  }

  @Test
  void aDailyCycleThatStopsIsCaughtWithinADayInAboutHalfTheSeeds() {
    int caught = 0;
    for (int seed = 0; seed < SEEDS; seed++) {
      Random r = new Random(seed);
      Detector d = Detectors.novelty(WARMUP);
      long t = start(seed);
      int flatAt = 3000 + r.nextInt(DAY);
      int at = -1;
      for (int i = 0; i < flatAt + DAY && at < 0; i++) {
        double v = i >= flatAt ? 100 + 3 * r.nextGaussian() : daily(i, r);
        if (d.update(t += STEP, v) >= 0.5 && i >= flatAt) {
          at = i - flatAt;
        }
      }
      caught += at >= 0 ? 1 : 0;
    }
    System.out.printf(Locale.ROOT, "novelty: a stopped daily cycle caught within a day in %d / %d seeds%n", caught, SEEDS);
    // A limitation, measured: 98 / 200. A flat line at the cycle's mean looks like the cycle's own
    // crossings to a detector without time of day (docs/anomaly.md).
    assertThat(caught).isGreaterThanOrEqualTo(SEEDS * 40 / 100);
  }

  @Test
  void aStationaryDailySeriesRaisesFewAlarms() {
    long alarms = 0;
    int seeds = 50;
    int rows = 20_000;
    for (int seed = 0; seed < seeds; seed++) {
      Random r = new Random(seed);
      Detector d = Detectors.novelty(WARMUP);
      long t = start(seed);
      for (int i = 0; i < rows; i++) {
        if (d.update(t += STEP, daily(i, r)) >= 0.5) {
          alarms++;
        }
      }
    }
    double per10k = alarms * 10_000.0 / ((double) seeds * (rows - WARMUP));
    System.out.printf(Locale.ROOT, "novelty: %.2f alarms per 10,000 windows of a stationary daily series%n", per10k);
    assertThat(per10k).isLessThan(1.0);
  }

  @Test
  void theWarmupOnlyLearnsAndAnAlarmIsReportedOncePerHoldOff() {
    Detector d = Detectors.novelty(100);
    Random r = new Random(7);
    long t = 0;
    for (int i = 0; i < 100; i++) {
      assertThat(d.update(t += STEP, i == 50 ? 200 : daily(i, r))).isZero();
    }
    for (int i = 100; i < 400; i++) {
      d.update(t += STEP, daily(i, r));
    }
    assertThat(d.update(t += STEP, 1000)).isGreaterThanOrEqualTo(0.5);
    // hold-off 0.4 · 100 = 40 windows: quiet whatever comes
    for (int i = 0; i < 40; i++) {
      assertThat(d.update(t += STEP, i % 2 == 0 ? -5000 : 5000)).isZero();
    }
    assertThat(d.update(t += STEP, 1e7)).isGreaterThanOrEqualTo(0.5);
  }

  @Test
  void badSettingsAreRejectedWithTheirName() {
    assertThatThrownBy(() -> new NoveltyDetector.Settings(1, new int[] {4, 4}, 0.1, 0.02, 200, 0))
        .hasMessage("warmup: 1 (expected: >= 2)");
    assertThatThrownBy(() -> new NoveltyDetector.Settings(10, new int[] {4}, 0.1, 0.02, 200, 0))
        .hasMessage("scales: [4] (expected: pairs of block size and block count)");
    assertThatThrownBy(() -> new NoveltyDetector.Settings(10, new int[] {4, 0}, 0.1, 0.02, 200, 0))
        .hasMessage("scales[1]: 0 (expected: >= 1)");
    assertThatThrownBy(() -> new NoveltyDetector.Settings(10, new int[] {4, 4}, 0, 0.02, 200, 0))
        .hasMessage("vigilance: 0.0 (expected: > 0)");
    assertThatThrownBy(() -> new NoveltyDetector.Settings(10, new int[] {4, 4}, 0.1, 1.5, 200, 0))
        .hasMessage("learningRate: 1.5 (expected: > 0 and <= 1)");
    assertThatThrownBy(() -> Detectors.of("novelty", -1)).hasMessage("rows: -1 (expected: >= 0)");
    int[] scales = {4, 4};
    NoveltyDetector.Settings settings = new NoveltyDetector.Settings(10, scales, 0.1, 0.02, 200, 0);
    scales[0] = 99;
    settings.scales()[1] = 99;
    assertThat(settings.scales()).containsExactly(4, 4);
    assertThat(Detectors.warmupFor(1000)).isEqualTo(150);
    assertThat(Detectors.warmupFor(22_695)).isEqualTo(750);
    assertThat(Detectors.warmupFor(3)).isEqualTo(2);
  }
}
