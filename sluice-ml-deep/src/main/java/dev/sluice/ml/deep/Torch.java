package dev.sluice.ml.deep;

import ai.djl.engine.Engine;

/**
 * The PyTorch engine, set up for offline, deterministic CPU use before its first call. Thread-safe.
 *
 * <p>Unless the caller has set them, {@link #engine()} sets the system properties {@code
 * ai.djl.offline=true} (DJL never goes to the network: the natives must come from the {@code
 * pytorch-native-cpu} jar, which DJL extracts once into its cache, {@code ~/.djl.ai} or {@code
 * DJL_CACHE_DIR}) and one intra-op and one inter-op thread (the same sums in the same order on
 * every machine, so a fixed seed gives the same model; and training leaves the other core to the
 * limiter). PyTorch's random generator is global, so training holds {@link #LOCK} from seeding to
 * the last forecast.
 */
final class Torch {

  /** Held while a model seeds the global generator and trains. */
  static final Object LOCK = new Object();

  /** The engine's name in DJL. */
  static final String ENGINE = "PyTorch";

  private Torch() {}

  /** The PyTorch engine, loaded from the bundled natives. */
  static Engine engine() {
    setIfAbsent("ai.djl.offline", "true");
    setIfAbsent("ai.djl.pytorch.num_threads", "1");
    setIfAbsent("ai.djl.pytorch.num_interop_threads", "1");
    return Engine.getEngine(ENGINE);
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
