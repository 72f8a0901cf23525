package dev.sluice.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** Supplies {@code sluice --version}: the project version Maven wrote into {@code version.properties}. */
final class VersionProvider implements IVersionProvider {

  @Override
  public String[] getVersion() {
    return new String[] {"sluice " + version()};
  }

  /** Returns the build's version, e.g. {@code 0.1.0-SNAPSHOT}. */
  static String version() {
    Properties properties = new Properties();
    try (InputStream in = VersionProvider.class.getResourceAsStream("version.properties")) {
      if (in == null) {
        throw new IllegalStateException("dev/sluice/cli/version.properties is missing from the jar");
      }
      properties.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("reading version.properties", e);
    }
    return properties.getProperty("version");
  }
}
