package dev.sluice.ml.forecast;

import java.util.List;

/**
 * A service ({@link java.util.ServiceLoader}) that makes forecasters {@link Forecasters#of} does
 * not know itself, so a module on the class path adds models without {@code sluice-ml} depending on
 * it ({@code sluice-ml-deep} adds {@code lstm}). Implementations are stateless and have a public
 * no-argument constructor; they are listed in {@code
 * META-INF/services/dev.sluice.ml.forecast.ForecasterProvider}.
 */
public interface ForecasterProvider {

  /** The names this provider makes, as {@code sluice forecast --model} takes them. */
  List<String> names();

  /**
   * The forecaster called {@code name}, one of {@link #names()}.
   *
   * @throws IllegalArgumentException if the name is not one of {@link #names()}
   */
  Forecaster create(String name);
}
