package dev.sluice.server.http;

/** Thrown inside request handling to answer with a 4xx {@link Problem}; carries no stack trace. */
public final class BadRequestException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient Problem problem;

  /** Creates the exception for {@code problem}. */
  public BadRequestException(Problem problem) {
    super(problem.detail(), null, false, false);
    this.problem = problem;
  }

  /** Returns the problem to answer with. */
  public Problem problem() {
    return problem;
  }
}
