package dev.sluice.config;

import dev.sluice.config.yaml.Problems;
import dev.sluice.config.yaml.YamlNode;
import dev.sluice.config.yaml.YamlReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Loads and validates a Sluice YAML config into an immutable {@link SluiceConfig}, reporting every
 * problem in the file at once; stateless and thread-safe.
 *
 * <p>The schema is documented in {@code docs/config.md}. In short: kebab-case keys, unknown keys
 * and wrongly typed values are errors, and each problem carries the line of the offending value
 * (or of the enclosing mapping when a required field is missing), for example {@code
 * limiter.yaml:12: tiers.premium.per-client.rate: -3 (expected: > 0)}.
 */
public final class ConfigLoader {

  private ConfigLoader() {}

  /**
   * Reads {@code file} as UTF-8 and returns its config, every section included (the store and
   * the adaptive controllers' parameters too); problems name the file as {@code file.toString()}.
   *
   * @throws IOException if the file cannot be read (missing, a directory, not UTF-8, ...)
   * @throws ConfigException if the text is not a valid config
   */
  public static SluiceConfig load(Path file) throws IOException, ConfigException {
    return parse(Files.readString(file), file.toString());
  }

  /**
   * Returns the config {@code yaml} describes, such as a body sent to the admin API.
   *
   * @param yaml the YAML text
   * @param sourceName how problems name the source, e.g. a file name or {@code PUT /admin/config}
   * @throws ConfigException listing every problem, ordered by line, if the text is not a valid
   *     config
   */
  public static SluiceConfig parse(String yaml, String sourceName) throws ConfigException {
    Objects.requireNonNull(yaml, "yaml");
    Objects.requireNonNull(sourceName, "sourceName");
    Problems problems = new Problems(sourceName);
    YamlNode root = YamlReader.read(yaml, problems);
    SluiceConfig config = root == null ? null : ConfigReader.read(root, problems);
    if (config == null || problems.count() > 0) {
      throw new ConfigException(problems.sorted());
    }
    return config;
  }
}
