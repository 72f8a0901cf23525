package dev.sluice.ml.live;

import dev.sluice.ml.forecast.OnlineForecasters;
import dev.sluice.ml.registry.ModelMetadata;
import dev.sluice.ml.registry.ModelRegistry;
import java.io.IOException;
import java.time.Instant;
import java.util.Optional;

/**
 * One retrain of the demand model: fit a candidate on a demand series, backtest it and the active
 * model on the same held-out tail, register the candidate, and activate it only if it beats the
 * active one (strictly lower one-step MAE). Stateless; the registry serialises writers.
 */
public final class DemandRetrain {

  private DemandRetrain() {}

  /**
   * What a retrain did.
   *
   * @param version the candidate's registry version
   * @param candidateMae the candidate's backtest MAE
   * @param activeMae the active model's MAE on the same tail, NaN when no demand model was active
   * @param activated whether the candidate is now the active model
   */
  public record Result(String version, double candidateMae, double activeMae, boolean activated) {}

  /**
   * Retrains on {@code series} and registers the candidate in {@code registry}.
   *
   * @param series demand per window, tokens per second, oldest first
   * @param windowSeconds the window's length
   * @param from the first window's start
   */
  public static Result run(ModelRegistry registry, double[] series, int windowSeconds, Instant from)
      throws IOException {
    DemandModel.Trained t = DemandModel.train(series, windowSeconds, from);
    double activeMae = Double.NaN;
    Optional<ModelMetadata> active = registry.active();
    if (active.isPresent() && active.get().featureSchemaHash().equals(DemandModel.SCHEMA_HASH)) {
      double[] params = DemandModel.params(registry.load(active.get().version(), DemandModel.SCHEMA_HASH));
      activeMae = OnlineForecasters.holtMae(series, params, DemandModel.split(series));
    }
    ModelMetadata m = registry.register(t.model());
    boolean beats = Double.isNaN(activeMae) || t.backtestMae() < activeMae;
    if (beats) {
      registry.activate(m.version());
    }
    return new Result(m.version(), t.backtestMae(), activeMae, beats);
  }
}
