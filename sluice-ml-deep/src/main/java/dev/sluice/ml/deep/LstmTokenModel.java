package dev.sluice.ml.deep;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.recurrent.LSTM;
import ai.djl.training.ParameterStore;
import dev.sluice.ml.dataset.DatasetSchema;
import dev.sluice.ml.dataset.FeatureRow;
import dev.sluice.ml.model.TokenRegression;
import dev.sluice.ml.model.TokenRegressor;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A trained next-window token regression LSTM (kind {@value #KIND}): for a client's window it
 * reads the feature rows of that window and the {@code lags − 1} before it, standardised with the
 * training rows' means and standard deviations, and predicts {@code (tokens_next − tokens) /
 * scale} like {@link dev.sluice.ml.model.TokenModel}; {@link #predict} maps that back to tokens and
 * cuts at 0. Immutable; predictions run one at a time (the PyTorch engine's lock). The network's
 * parameters live in native memory of their own for as long as the process (a CLI run or a test
 * holds a few models).
 *
 * <p>History: a row's earlier windows are the rows of the same group in the list given to {@link
 * #predict} ({@link LstmSequences}); pass the windows before the rows to score as context.
 *
 * <p>The model file {@value #FILE_NAME} is this module's own format, read without running any
 * class: a header ({@code sluice-lstm-tokens}, format 1, lags, units, scale, then each feature's
 * name, mean and standard deviation) followed by DJL's parameter encoding of the network.
 */
public final class LstmTokenModel implements TokenRegressor {

  /** The kind in {@code metadata.json}. */
  public static final String KIND = "lstm";
  /** The model file's name inside an artifact. */
  public static final String FILE_NAME = "model.lstm";

  private static final String MAGIC = "sluice-lstm-tokens";
  private static final int FORMAT = 1;
  private static final int CHUNK = 4096;

  private final int lags;
  private final int hidden;
  private final double scale;
  private final List<String> features;
  private final double[] mean;
  private final double[] std;
  private final byte[] weights;
  private final DatasetSchema schema;
  private final int[] index;
  private final int offset;
  private final NDManager manager;
  private final Block network;

  LstmTokenModel(int lags, int hidden, double scale, List<String> features, double[] mean, double[] std,
      byte[] weights, DatasetSchema schema) throws IOException {
    if (lags < 1 || hidden < 1 || !(scale > 0) || Double.isInfinite(scale) || features.isEmpty()
        || mean.length != features.size() || std.length != features.size()) {
      throw new IOException("lstm: inconsistent settings (lags " + lags + ", units " + hidden + ", scale " + scale
          + ", " + features.size() + " features, " + mean.length + " means, " + std.length + " deviations)");
    }
    this.lags = lags;
    this.hidden = hidden;
    this.scale = scale;
    this.features = List.copyOf(features);
    this.mean = mean.clone();
    this.std = std.clone();
    this.weights = weights.clone();
    this.schema = schema;
    this.index = new int[features.size()];
    for (int i = 0; i < index.length; i++) {
      try {
        index[i] = schema.index(features.get(i));
      } catch (IllegalArgumentException e) {
        throw new IOException("lstm: feature " + features.get(i) + " is not in the running schema", e);
      }
    }
    this.offset = schema.index(TokenRegression.OFFSET);
    synchronized (Torch.LOCK) {
      this.manager = Torch.engine().newBaseManager(Device.cpu());
      this.network = block(hidden);
      network.initialize(manager, DataType.FLOAT32, new Shape(1, lags, features.size()));
      try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(this.weights))) {
        network.loadParameters(manager, in);
      } catch (MalformedModelException e) {
        manager.close();
        throw new IOException("lstm: the network's parameters do not fit " + lags + " lags, " + hidden + " units and "
            + features.size() + " features: " + e.getMessage(), e);
      }
    }
  }

  /** The network: one LSTM layer, its last step through a linear head to one output. */
  static Block block(int hidden) {
    return new SequentialBlock()
        .add(LSTM.builder().setStateSize(hidden).setNumLayers(1).optBatchFirst(true).optReturnState(false).build())
        .add(new LambdaBlock(list -> new NDList(list.singletonOrThrow().get(":, -1, :")), "last-step"))
        .add(Linear.builder().setUnits(1).build());
  }

  /**
   * Reads a model file for rows of {@code schema}.
   *
   * @throws IOException when the file is not an LSTM token model of this format, or does not fit the schema
   */
  static LstmTokenModel read(Path file, DatasetSchema schema) throws IOException {
    try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
      String magic = in.readUTF();
      if (!magic.equals(MAGIC)) {
        throw new IOException(file + ": not an LSTM token model (starts with " + magic + ")");
      }
      int format = in.readInt();
      if (format != FORMAT) {
        throw new IOException(file + ": format " + format + " (expected: " + FORMAT + ")");
      }
      int lags = in.readInt();
      int hidden = in.readInt();
      double scale = in.readDouble();
      int n = in.readInt();
      if (n < 1 || n > 10_000) {
        throw new IOException(file + ": " + n + " features (expected: 1 to 10000)");
      }
      List<String> names = new ArrayList<>(n);
      double[] mean = new double[n];
      double[] std = new double[n];
      for (int i = 0; i < n; i++) {
        names.add(in.readUTF());
        mean[i] = in.readDouble();
        std[i] = in.readDouble();
      }
      byte[] weights = in.readAllBytes();
      return new LstmTokenModel(lags, hidden, scale, names, mean, std, weights, schema);
    } catch (java.io.EOFException e) {
      throw new IOException(file + ": truncated LSTM token model", e);
    }
  }

  /** Writes the model file. */
  void save(Path file) throws IOException {
    try (OutputStream raw = Files.newOutputStream(file); DataOutputStream out = new DataOutputStream(raw)) {
      out.writeUTF(MAGIC);
      out.writeInt(FORMAT);
      out.writeInt(lags);
      out.writeInt(hidden);
      out.writeDouble(scale);
      out.writeInt(features.size());
      for (int i = 0; i < features.size(); i++) {
        out.writeUTF(features.get(i));
        out.writeDouble(mean[i]);
        out.writeDouble(std[i]);
      }
      out.write(weights);
    }
  }

  @Override
  public String label() {
    return KIND;
  }

  @Override
  public List<String> features() {
    return features;
  }

  /** How many windows one sequence holds. */
  public int lags() {
    return lags;
  }

  /** The LSTM's state size. */
  public int hidden() {
    return hidden;
  }

  /** The divisor of the network's target. */
  public double scale() {
    return scale;
  }

  /** The training means of {@link #features()}. */
  double[] mean() {
    return mean.clone();
  }

  @Override
  public double[] predict(List<FeatureRow> rows) {
    float[] p = outputs(rows);
    double[] out = new double[rows.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = Math.max(0, rows.get(i).values()[offset] + scale * p[i]);
    }
    return out;
  }

  /** The network's raw outputs for each row's sequence. */
  float[] outputs(List<FeatureRow> rows) {
    int f = features.size();
    LstmSequences seq = sequences(rows);
    float[] out = new float[rows.size()];
    synchronized (Torch.LOCK) {
      for (int c = 0; c < rows.size(); c += CHUNK) {
        int k = Math.min(CHUNK, rows.size() - c);
        float[] x = new float[k * lags * f];
        for (int i = 0; i < k; i++) {
          seq.write(c + i, x, i * lags * f);
        }
        try (NDManager m = manager.newSubManager()) {
          NDArray input = m.create(x, new Shape(k, lags, f));
          float[] p = network.forward(new ParameterStore(m, false), new NDList(input), false)
              .singletonOrThrow().toFloatArray();
          System.arraycopy(p, 0, out, c, k);
        }
      }
    }
    return out;
  }

  /** The sequences of {@code rows} (see {@link LstmSequences}). */
  LstmSequences sequences(List<FeatureRow> rows) {
    return new LstmSequences(rows, lags, schema, index, mean, std);
  }
}
