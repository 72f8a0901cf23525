package dev.sluice.ml.deep;

import dev.sluice.ml.forecast.Forecaster;
import dev.sluice.ml.forecast.ForecasterProvider;
import java.util.List;

/**
 * Makes this module's forecasters for {@code dev.sluice.ml.forecast.Forecasters.of}: {@code lstm}
 * (a {@link java.util.ServiceLoader} provider). Stateless.
 */
public final class DeepForecasters implements ForecasterProvider {

  /** For the service loader. */
  public DeepForecasters() {}

  @Override
  public List<String> names() {
    return List.of("lstm");
  }

  @Override
  public Forecaster create(String name) {
    if (!name.equals("lstm")) {
      throw new IllegalArgumentException("model: " + name + " (expected: one of " + String.join(", ", names()) + ")");
    }
    return LstmForecaster.defaults();
  }
}
