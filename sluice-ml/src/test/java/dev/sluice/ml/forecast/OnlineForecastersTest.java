package dev.sluice.ml.forecast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.sluice.adaptive.DemandForecaster;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The online forecasters: known answers, no leakage from the window forecast, coverage, names. */
class OnlineForecastersTest {

  @Test
  void holtFollowsALinearRampAndEwmaLagsIt() {
    double[] ramp = new double[100];
    for (int i = 0; i < ramp.length; i++) {
      ramp[i] = 100 + 2 * i;
    }
    DemandForecaster.Forecast holt = OnlineForecasters.of("holt").forecast(ramp, 1);
    DemandForecaster.Forecast ewma = OnlineForecasters.of("ewma").forecast(ramp, 1);
    assertThat(holt.point()).isCloseTo(300, within(3.0));
    assertThat(ewma.point()).isCloseTo(298 - 2 * 0.7 / 0.3, within(0.01)); // EWMA's steady lag on a ramp
    assertThat(holt.upper()).isGreaterThanOrEqualTo(holt.point());
  }

  @Test
  void aConstantSeriesForecastsItselfWithANarrowInterval() {
    double[] flat = new double[60];
    Arrays.fill(flat, 500);
    DemandForecaster.Forecast f = OnlineForecasters.of("holt").forecast(flat, 1);
    assertThat(f.point()).isCloseTo(500, within(1e-6));
    assertThat(f.upper()).isCloseTo(500, within(1e-6));
  }

  @Test
  void noIntervalWithFewerThanTwentyErrors() {
    assertThat(OnlineForecasters.of("ewma").forecast(new double[] {1, 2, 3, 4, 5}, 1).upper()).isNaN();
  }

  /**
   * No leakage: the forecast of window n is a function of windows 0..n-1 alone. Forecasting a
   * prefix gives the same answer however the windows after it go on, and the rolling forecasts
   * over a series equal the ones made from each prefix separately.
   */
  @Test
  void aForecastReadsOnlyTheHistoryBeforeIt() {
    Random r = new Random(7);
    double[] y = new double[200];
    for (int i = 0; i < y.length; i++) {
      y[i] = 500 + 200 * Math.sin(i / 20.0) + r.nextGaussian() * 30;
    }
    double[] other = y.clone();
    for (int i = 150; i < other.length; i++) {
      other[i] = 1e6; // a future that would move any leaking forecast
    }
    for (String name : OnlineForecasters.NAMES) {
      DemandForecaster m = OnlineForecasters.of(name);
      DemandForecaster.Forecast a = m.forecast(Arrays.copyOf(y, 150), 1);
      DemandForecaster.Forecast b = m.forecast(Arrays.copyOf(other, 150), 1);
      assertThat(b).isEqualTo(a);
    }
  }

  @Test
  void theUpperBoundCoversAboutNinetyPercentOfRollingForecasts() {
    Random r = new Random(11);
    double[] y = new double[700];
    for (int i = 0; i < y.length; i++) {
      y[i] = Math.max(0, 800 + 300 * Math.sin(i / 60.0) + r.nextGaussian() * 40);
    }
    DemandForecaster m = OnlineForecasters.of("holt");
    int covered = 0;
    int n = 0;
    for (int t = 300; t < y.length; t++) {
      DemandForecaster.Forecast f = m.forecast(Arrays.copyOfRange(y, t - 300, t), 1);
      covered += y[t] <= f.upper() ? 1 : 0;
      n++;
    }
    // the upper bound of a central 90 % interval: about 95 % of actuals fall below it
    assertThat((double) covered / n).isBetween(0.88, 0.99);
  }

  @Test
  void unknownNamesAreRefused() {
    assertThatThrownBy(() -> OnlineForecasters.of("lstm"))
        .hasMessage("forecaster: lstm (expected: one of [holt, ewma])");
  }
}
