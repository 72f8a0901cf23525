package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Test helpers: run the loader on YAML text or a {@code bad/} resource and collect its problem lines. */
final class Configs {

  private Configs() {}

  /** Returns the problems of {@code yaml} (named {@code test.yaml}) as printed lines. */
  static List<String> problems(String yaml) {
    return problems(yaml, "test.yaml");
  }

  /** Returns the problems of the test resource {@code bad/NAME} (named {@code NAME}) as printed lines. */
  static List<String> badFile(String name) {
    try (InputStream in = Configs.class.getResourceAsStream("/bad/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no test resource bad/" + name);
      }
      return problems(new String(in.readAllBytes(), StandardCharsets.UTF_8), name);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> problems(String yaml, String name) {
    List<String> lines = new ArrayList<>();
    assertThatThrownBy(() -> ConfigLoader.parse(yaml, name))
        .isInstanceOfSatisfying(ConfigException.class,
            e -> e.problems().forEach(p -> lines.add(p.toString())));
    return lines;
  }

  /** Returns a config with one valid tier plus {@code extra} (which may add top-level sections). */
  static String withTier(String extra) {
    return "tiers:\n  t:\n    per-client: {burst: 100, rate: 10/s}\n" + extra;
  }
}
