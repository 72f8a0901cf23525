package dev.sluice.testkit;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The evaluation data set that lives outside the repository ({@code ../shared/data} beside the
 * clone in CI): NAB series, the full NASA trace, Apache logs, Azure LLM traces. Stateless.
 *
 * <p>Only evaluations use it: test classes named {@code *Evaluation}, which run in the {@code
 * evaluations} Maven profile ({@code ./mvnw verify -Pevaluations}, what {@code .ci/run} does) and
 * never in a plain {@code ./mvnw verify}. The profile passes the folder as the system property
 * {@value #PROPERTY} (default {@code ../shared/data} beside the clone; {@code
 * -Dsluice.shared.data=DIR} points it elsewhere). A missing folder or file fails the evaluation: it
 * never skips.
 */
public final class SharedData {

  /** The system property holding the data folder. */
  public static final String PROPERTY = "sluice.shared.data";

  private SharedData() {}

  /**
   * Returns {@code relative} resolved against the data folder.
   *
   * @throws AssertionError when the property is unset (not run through the {@code evaluations}
   *     profile) or the file does not exist
   */
  public static Path file(String relative) {
    String dir = System.getProperty(PROPERTY);
    if (dir == null || dir.isBlank()) {
      throw new AssertionError("system property " + PROPERTY + " is not set: evaluations run with"
          + " './mvnw verify -Pevaluations' (expected: the folder holding the shared data, e.g. ../shared/data)");
    }
    Path file = Path.of(dir).resolve(relative).normalize();
    if (!Files.exists(file)) {
      throw new AssertionError(file.toAbsolutePath() + ": missing (expected: the shared evaluation data;"
          + " set -D" + PROPERTY + "=DIR if it is not at ../shared/data beside the clone)");
    }
    return file;
  }
}
