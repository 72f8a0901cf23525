package dev.sluice.config;

import java.util.List;

/**
 * Thrown when a config file is not valid; carries every problem found, in line order, not just the
 * first.
 *
 * <p>The message is the problems' {@link ConfigProblem#toString()} lines joined by newlines, so a
 * logged exception reads like the output of {@code sluice check-config}.
 */
public final class ConfigException extends Exception {

  private static final long serialVersionUID = 1L;

  private final List<ConfigProblem> problems;

  /**
   * Creates an exception for {@code problems}.
   *
   * @param problems at least one problem
   * @throws IllegalArgumentException if {@code problems} is empty
   */
  public ConfigException(List<ConfigProblem> problems) {
    super(message(problems));
    this.problems = List.copyOf(problems);
  }

  private static String message(List<ConfigProblem> problems) {
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("problems: empty (expected: at least one problem)");
    }
    StringBuilder sb = new StringBuilder();
    for (ConfigProblem p : problems) {
      sb.append(sb.isEmpty() ? "" : "\n").append(p);
    }
    return sb.toString();
  }

  /** Returns every problem found, ordered by line. */
  public List<ConfigProblem> problems() {
    return problems;
  }
}
