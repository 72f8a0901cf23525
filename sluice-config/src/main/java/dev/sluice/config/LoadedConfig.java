package dev.sluice.config;

import dev.sluice.adaptive.AdaptiveSettings;
import dev.sluice.core.config.SluiceConfig;

/**
 * Everything one config file yields, immutable: the core {@link SluiceConfig} (whose {@code
 * adaptive} switches agree with {@link #adaptive()}) and the control loop's full settings, and the bucket store.
 *
 * @param config the limiter, identity, server and upstream config
 * @param adaptive the adaptive section with every controller parameter; its {@code enabled},
 *     {@code shadow} and {@code interval} equal {@code config.adaptive()}'s
 * @param store where buckets live ({@link StoreConfig#LOCAL} when the file has no {@code store})
 */
public record LoadedConfig(SluiceConfig config, AdaptiveSettings adaptive, StoreConfig store) {

  /** Checks every part is present and the switches agree. */
  public LoadedConfig {
    if (config == null || adaptive == null || store == null) {
      throw new IllegalArgumentException("config, adaptive and store: required");
    }
    if (config.adaptive().enabled() != adaptive.enabled() || config.adaptive().shadow() != adaptive.shadow()
        || !config.adaptive().interval().equals(adaptive.interval())) {
      throw new IllegalArgumentException("adaptive: switches differ between config and settings (expected: equal)");
    }
  }
}
