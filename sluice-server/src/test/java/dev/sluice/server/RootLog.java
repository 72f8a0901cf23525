package dev.sluice.server;

import ch.qos.logback.classic.spi.ILoggingEvent;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Captures everything that reaches the root logger during each test, from any thread: a JUnit
 * extension ({@code @RegisterExtension final RootLog logged = new RootLog();}) over {@link
 * LoggerEvents#root()}. Thread-safe.
 */
public final class RootLog implements BeforeEachCallback, AfterEachCallback {

  private volatile LoggerEvents events;

  @Override
  public void beforeEach(ExtensionContext context) {
    events = LoggerEvents.root();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    events.close();
  }

  /** Returns every event of the current test so far, in order. */
  public List<ILoggingEvent> all() {
    return events.all();
  }
}
