package dev.sluice.cli.load;

/**
 * A named span of a run that results are reported for (a bench stage, a demo story phase): the
 * requests whose intended send time falls in {@code [startSeconds, endSeconds)}.
 *
 * @param name shown in reports
 * @param startSeconds start, seconds from the run's start
 * @param endSeconds end (exclusive)
 */
public record LoadPhase(String name, double startSeconds, double endSeconds) {

  /** Validates the span. */
  public LoadPhase {
    if (!(startSeconds >= 0) || !(endSeconds > startSeconds)) {
      throw new IllegalArgumentException(name + ": from " + startSeconds + " s to " + endSeconds
          + " s (expected: 0 <= start < end)");
    }
  }

  /** Returns the phase's length in seconds. */
  public double seconds() {
    return endSeconds - startSeconds;
  }
}
