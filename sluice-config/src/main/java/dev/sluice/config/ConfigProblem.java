package dev.sluice.config;

import java.util.Objects;

/**
 * One thing wrong with a config file: where it is (file, line, dotted field path) and what is
 * wrong, in the form {@code value (expected: ...)}.
 *
 * <p>{@link #toString()} is the line {@code sluice check-config} prints, for example {@code
 * limiter.yaml:12: tiers.premium.per-client.rate: -3 (expected: > 0)}. Problems that concern the
 * document as a whole (a YAML syntax error, a second document) have an empty path, and their
 * line reads {@code FILE:line: message}.
 *
 * @param file the source name: the path as given to {@link ConfigLoader#load}, or the name given to
 *     {@link ConfigLoader#parse}
 * @param line the 1-based line of the offending value, or of the enclosing mapping when a required
 *     field is missing
 * @param path the dotted field path such as {@code tiers.premium.per-client.rate} or {@code
 *     costs[0].cost}; empty for problems of the whole document
 * @param message what is wrong, usually {@code value (expected: ...)}
 */
public record ConfigProblem(String file, int line, String path, String message) {

  /** Requires every component and a positive line. */
  public ConfigProblem {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(message, "message");
    if (line < 1) {
      throw new IllegalArgumentException("line: " + line + " (expected: >= 1)");
    }
  }

  /** Returns {@code FILE:line: path.to.field: message}, or {@code FILE:line: message} without a path. */
  @Override
  public String toString() {
    return file + ":" + line + ": " + (path.isEmpty() ? "" : path + ": ") + message;
  }
}
