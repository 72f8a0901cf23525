package dev.sluice.server;

import ch.qos.logback.classic.LoggerContext;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * Selects and flushes Sluice's production logging: structured JSON lines on stdout through an
 * asynchronous appender ({@code dev/sluice/server/logback-serve.xml}). Call {@link #install()}
 * before anything logs; a {@code logback.configurationFile} system property set by the user wins.
 */
public final class JsonLogging {

  /** The classpath resource holding the production Logback config. */
  public static final String CONFIG = "dev/sluice/server/logback-serve.xml";

  private JsonLogging() {}

  /** Points Logback at {@link #CONFIG} unless the user named a config file. */
  public static void install() {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", CONFIG);
    }
  }

  /** Writes out every queued log event and stops logging; call last, on shutdown. */
  public static void flush() {
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    if (factory instanceof LoggerContext context) {
      context.stop();
    }
  }
}
