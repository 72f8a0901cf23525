package dev.sluice.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

/**
 * Captures the events of some loggers, from any thread, for a test; detaches and restores their
 * levels on close. Thread-safe (unlike Logback's {@code ListAppender}, whose list the test would read
 * while another thread appends).
 */
final class LoggerEvents extends AppenderBase<ILoggingEvent> implements AutoCloseable {

  private final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();
  private final List<Logger> loggers = new ArrayList<>();
  private final List<Level> levels = new ArrayList<>();

  /** Starts capturing everything {@code classes}' loggers log at INFO and above. */
  static LoggerEvents of(Class<?>... classes) {
    LoggerEvents c = new LoggerEvents();
    c.start();
    for (Class<?> type : classes) {
      Logger l = (Logger) LoggerFactory.getLogger(type);
      c.loggers.add(l);
      c.levels.add(l.getLevel());
      l.setLevel(Level.INFO);
      l.addAppender(c);
    }
    return c;
  }

  /**
   * Starts capturing everything that reaches the root logger (at the levels already configured),
   * from any thread.
   */
  static LoggerEvents root() {
    LoggerEvents c = new LoggerEvents();
    c.start();
    Logger l = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    c.loggers.add(l);
    c.levels.add(l.getLevel());
    l.addAppender(c);
    return c;
  }

  /** Returns every event captured so far, in order. */
  List<ILoggingEvent> all() {
    return List.copyOf(events);
  }

  @Override
  protected void append(ILoggingEvent event) {
    event.prepareForDeferredProcessing();
    events.add(event);
  }

  /** Returns the events captured so far that match {@code filter}, in order. */
  List<ILoggingEvent> events(Predicate<ILoggingEvent> filter) {
    return events.stream().filter(filter).toList();
  }

  /** Returns the events whose {@code event} key-value is {@code name}. */
  List<ILoggingEvent> named(String name) {
    return events(e -> name.equals(kv(e, "event")));
  }

  /** Returns the value of {@code key} in the event's key-value pairs, as a string, or {@code null}. */
  static String kv(ILoggingEvent e, String key) {
    if (e.getKeyValuePairs() == null) {
      return null;
    }
    for (KeyValuePair p : e.getKeyValuePairs()) {
      if (p.key.equals(key)) {
        return p.value == null ? null : p.value.toString();
      }
    }
    return null;
  }

  @Override
  public void close() {
    for (int i = 0; i < loggers.size(); i++) {
      loggers.get(i).detachAppender(this);
      loggers.get(i).setLevel(levels.get(i));
    }
    stop();
  }
}
