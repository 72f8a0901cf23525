package dev.sluice.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.ToIntFunction;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * A bad option or input found while a command runs: the command prints {@code NAME: message} and
 * exits 2 ({@code CommandLine.ExitCode.USAGE}). No stack trace: the message is the whole report.
 * Also the shared checks of the file options the commands take.
 */
final class UsageError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  UsageError(String message) {
    super(message, null, false, false);
  }

  /**
   * Runs a command's {@code body} with its standard output and returns its exit code; a usage error
   * is printed on standard error as {@code command: message} and returns 2.
   */
  static int exitCode(CommandSpec spec, String command, ToIntFunction<PrintWriter> body) {
    try {
      return body.applyAsInt(spec.commandLine().getOut());
    } catch (UsageError e) {
      spec.commandLine().getErr().println(command + ": " + e.getMessage());
      return CommandLine.ExitCode.USAGE;
    }
  }

  /**
   * Checks that {@code option}'s file {@code out} can be created: its directory exists and it is
   * not itself a directory.
   */
  static void requireWritableFile(String option, Path out) {
    Path absolute = out.toAbsolutePath();
    if (absolute.getParent() != null && !Files.isDirectory(absolute.getParent())) {
      throw new UsageError(option + " " + out + ": cannot write there: " + absolute.getParent() + ": no such directory");
    }
    if (Files.isDirectory(out)) {
      throw new UsageError(option + " " + out + ": is a directory (expected: a CSV file name)");
    }
  }

  /** Checks that {@code option}'s file {@code in} is a readable regular file. */
  static void requireFile(String option, Path in) {
    if (!Files.isRegularFile(in)) {
      throw new UsageError(option + " " + in + ": " + (Files.exists(in) ? "not a file" : "no such file"));
    }
  }
}
