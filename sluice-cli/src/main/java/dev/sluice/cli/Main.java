package dev.sluice.cli;

import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The top-level {@code sluice} command and the entry point of {@code sluice.jar}.
 *
 * <p>A subcommand is a class of its own, added to the {@code subcommands} list below. Exit codes
 * are picocli's: 0 success, 1 an unexpected error, 2 a usage error; commands also return 2 for
 * invalid input such as a config with problems.
 */
@Command(
    name = "sluice",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Sluice, an adaptive rate limiter for API edges.",
    subcommands = {CheckConfigCommand.class, ServeCommand.class, SimulateCommand.class, ForecastCommand.class,
        DetectCommand.class, BenchCommand.class, DemoCommand.class, UpstreamCommand.class,
        TrainCommand.class, EvaluateCommand.class,
        CommandLine.HelpCommand.class})
public final class Main implements Runnable {

  @Spec
  private CommandSpec spec;

  /** Creates the top-level command; picocli fills in its spec. */
  public Main() {}

  /** Runs {@code sluice ARGS...} and exits the JVM with the command's exit code. */
  public static void main(String[] args) {
    CommandLine commandLine = commandLine();
    commandLine.setOut(writer(System.out));
    commandLine.setErr(writer(System.err));
    System.exit(commandLine.execute(args));
  }

  /**
   * Returns a fresh {@code sluice} command line with every subcommand registered, writing to
   * picocli's default streams; tests set their own with {@link CommandLine#setOut} and {@link
   * CommandLine#setErr} and call {@link CommandLine#execute}.
   */
  public static CommandLine commandLine() {
    return new CommandLine(new Main());
  }

  /** Without a subcommand there is nothing to do: a usage error (exit 2) that shows the help. */
  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing required subcommand");
  }

  /**
   * Wraps a standard stream in the console's encoding when it can print the em dash in {@code
   * check-config}'s output, else in UTF-8.
   */
  private static PrintWriter writer(PrintStream stream) {
    String name = System.getProperty(stream == System.err ? "stderr.encoding" : "stdout.encoding");
    Charset charset = name == null || !Charset.isSupported(name) ? StandardCharsets.UTF_8 : Charset.forName(name);
    if (!charset.newEncoder().canEncode('\u2014')) {
      charset = StandardCharsets.UTF_8;
    }
    return new PrintWriter(new OutputStreamWriter((OutputStream) stream, charset), true);
  }
}
