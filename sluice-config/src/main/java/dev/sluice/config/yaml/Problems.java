package dev.sluice.config.yaml;

import dev.sluice.config.ConfigProblem;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;

/** Collects the problems of one config source; not thread-safe, one per load. */
public final class Problems {

  private final String file;
  private final List<ConfigProblem> problems = new ArrayList<>();

  /** Creates an empty collector for the source named {@code file} in every problem. */
  public Problems(String file) {
    this.file = file;
  }

  /** Records {@code path: message} at {@code line}. */
  public void add(int line, String path, String message) {
    problems.add(new ConfigProblem(file, Math.max(1, line), path, message));
  }

  /** Records that {@code node} at {@code path} is not what was {@code expected}. */
  public void invalid(YamlNode node, String path, String expected) {
    add(node.line(), path, node.display() + " (expected: " + expected + ")");
  }

  /**
   * Records that {@code node} at {@code path} was rejected by a core parser ({@code Rate.parse},
   * {@code Durations.parse}, {@code Cidr.parse}) whose message ends in {@code (expected: ...)}.
   */
  public void invalid(YamlNode node, String path, IllegalArgumentException e) {
    String message = String.valueOf(e.getMessage());
    int at = message.lastIndexOf("(expected: ");
    invalid(node, path, at < 0 || !message.endsWith(")") ? message : message.substring(at + 11, message.length() - 1));
  }

  /** Records that the required field {@code path} is missing from the mapping at {@code line}. */
  public void missing(int line, String path, String expected) {
    add(line, path, "missing (expected: " + expected + ")");
  }

  /**
   * Records a record constructor's {@code path: value (expected: ...)} message at {@code line}; a
   * leading relative path is resolved against {@code sectionPath}.
   */
  public void rejected(int line, String sectionPath, IllegalArgumentException e) {
    String message = String.valueOf(e.getMessage());
    int colon = message.indexOf(": ");
    String path = sectionPath;
    if (colon > 0 && message.substring(0, colon).chars().noneMatch(Character::isWhitespace)) {
      String named = message.substring(0, colon);
      message = message.substring(colon + 2);
      path = sectionPath.isEmpty() || named.startsWith(sectionPath) || named.contains(".")
          ? named : sectionPath + "." + named;
    }
    add(line, path, message);
  }

  /**
   * Returns what {@code factory} builds, or {@code null} after recording the {@link
   * IllegalArgumentException} it throws (a record's own validation, the fallback behind the
   * readers' checks) at {@code line} under {@code sectionPath}.
   */
  public <T> T build(int line, String sectionPath, Supplier<T> factory) {
    try {
      return factory.get();
    } catch (IllegalArgumentException e) {
      rejected(line, sectionPath, e);
      return null;
    }
  }

  /** Returns how many problems have been recorded so far. */
  public int count() {
    return problems.size();
  }

  /** Returns the problems ordered by line, in recording order within a line. */
  public List<ConfigProblem> sorted() {
    List<ConfigProblem> sorted = new ArrayList<>(problems);
    sorted.sort(Comparator.comparingInt(ConfigProblem::line));
    return List.copyOf(sorted);
  }
}
