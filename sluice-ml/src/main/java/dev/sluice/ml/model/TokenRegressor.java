package dev.sluice.ml.model;

import dev.sluice.ml.dataset.FeatureRow;
import java.util.List;

/**
 * A trained next-window token regression of any family: the Tribuo models ({@link TokenModel}) and
 * those a {@link TokenModelProvider} adds (the LSTM of {@code sluice-ml-deep}). Implementations are
 * immutable and safe for any number of threads.
 */
public interface TokenRegressor {

  /** The model family as {@code metadata.json}'s {@code kind} names it ({@code linear}, {@code lstm}, ...). */
  String label();

  /** The feature names the model reads, in order. */
  List<String> features();

  /**
   * The predicted tokens of the window after each row's window (≥ 0), in the order of {@code rows}.
   * A model that reads a client's history (the LSTM) takes it from the earlier rows of the same
   * group in {@code rows}; pass the windows before the rows to score as context and ignore their
   * predictions.
   */
  double[] predict(List<FeatureRow> rows);
}
