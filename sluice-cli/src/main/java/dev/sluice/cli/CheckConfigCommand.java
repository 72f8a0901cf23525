package dev.sluice.cli;

import dev.sluice.config.ConfigException;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.ConfigProblem;
import dev.sluice.config.SluiceConfig;
import dev.sluice.envoy.EnvoyConfigReader;
import dev.sluice.envoy.EnvoyLimits;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code sluice check-config FILE}: validates a config file and prints {@code FILE: OK — summary}
 * (exit 0), or one {@code FILE:line: path: reason} line per problem on stderr (exit 2). With {@code
 * --envoy}, FILE is a directory of envoyproxy/ratelimit files (one domain each), checked alike.
 */
@Command(
    name = "check-config",
    mixinStandardHelpOptions = true,
    description = {
      "Validates a Sluice config file, or with --envoy a directory of envoyproxy/ratelimit files.",
      "Prints a one-line summary and exits 0, or prints one FILE:line: path: reason line per"
          + " problem to stderr and exits 2."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:the config is valid", "2:the config has problems or cannot be read, or a usage error"})
final class CheckConfigCommand implements Callable<Integer> {

  /** The exit code for a config with problems or a file that cannot be read. */
  static final int INVALID = CommandLine.ExitCode.USAGE;

  @Spec
  private CommandSpec spec;

  @Parameters(paramLabel = "FILE", description = "The YAML config file, e.g. examples/limiter.yaml.")
  private Path file;

  @Option(names = "--envoy", description = "FILE is a directory of envoyproxy/ratelimit config files"
      + " (the Envoy rate-limit service's limits, e.g. examples/envoy/ratelimit).")
  private boolean envoy;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (envoy) {
      return checkEnvoy(out, err);
    }
    if (Files.isDirectory(file)) {
      err.println(file + ": cannot read: is a directory");
      return INVALID;
    }
    try {
      SluiceConfig config = ConfigLoader.load(file);
      out.println(file + ": OK \u2014 " + config.summary());
      return CommandLine.ExitCode.OK;
    } catch (ConfigException e) {
      for (ConfigProblem problem : e.problems()) {
        err.println(problem);
      }
      return INVALID;
    } catch (IOException e) {
      err.println(file + ": cannot read: " + reason(e));
      return INVALID;
    }
  }

  private Integer checkEnvoy(PrintWriter out, PrintWriter err) {
    if (!Files.isDirectory(file)) {
      err.println(file + ": cannot read: " + (Files.exists(file) ? "not a directory" : "no such directory"));
      return INVALID;
    }
    try {
      EnvoyLimits limits = EnvoyConfigReader.readDirectory(file);
      out.println(file + ": OK \u2014 envoy ratelimit: " + limits.domains().size() + " domain(s) "
          + limits.domains() + ", " + limits.rules().size() + " rate limit(s)");
      return CommandLine.ExitCode.OK;
    } catch (ConfigException e) {
      for (ConfigProblem problem : e.problems()) {
        err.println(problem);
      }
      return INVALID;
    } catch (java.io.UncheckedIOException e) {
      err.println(file + ": cannot read: " + reason(e.getCause()));
      return INVALID;
    }
  }

  private static String reason(IOException e) {
    return switch (e) {
      case NoSuchFileException x -> "no such file";
      case AccessDeniedException x -> "permission denied";
      case CharacterCodingException x -> "not UTF-8 text";
      default -> e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    };
  }
}
