package dev.sluice.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.LoggerFactory;

/**
 * Keeps every log event at WARN or above in memory, from Logback's root logger (the binding this
 * module's tests use, configured by {@code logback-test.xml}), so a test can assert what was
 * logged while it ran. Thread-safe; {@link #close()} detaches it (and gives muted appenders back).
 */
final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {

  private final ConcurrentLinkedQueue<ILoggingEvent> events = new ConcurrentLinkedQueue<>();
  private final Logger root;
  private final List<Appender<ILoggingEvent>> muted = new ArrayList<>();

  private LogCapture(Logger root) {
    this.root = root;
  }

  /** Attaches a new capture to the root logger. */
  static LogCapture attach() {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      throw new IllegalStateException("the tests log through " + LoggerFactory.getILoggerFactory().getClass()
          + ", not Logback");
    }
    LogCapture c = new LogCapture(context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME));
    c.setContext(context);
    c.setName("fuzz-capture");
    c.start();
    c.root.addAppender(c);
    return c;
  }

  @Override
  protected void append(ILoggingEvent event) {
    if (event.getLevel().isGreaterOrEqual(Level.WARN)) {
      event.prepareForDeferredProcessing();
      events.add(event);
    }
  }

  /**
   * Detaches the root logger's other appenders (the console) until {@link #close()}: for a test
   * that provokes thousands of expected warnings and checks them itself.
   */
  void muteOthers() {
    for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext();) {
      Appender<ILoggingEvent> a = it.next();
      if (a != this) {
        muted.add(a);
      }
    }
    muted.forEach(root::detachAppender);
  }

  /** Returns and forgets the events captured so far. */
  List<ILoggingEvent> drain() {
    List<ILoggingEvent> out = new ArrayList<>();
    ILoggingEvent e;
    while ((e = events.poll()) != null) {
      out.add(e);
    }
    return out;
  }

  /** Returns one line for {@code e}: level, logger, message and the cause's class and message. */
  static String describe(ILoggingEvent e) {
    StringBuilder b = new StringBuilder().append(e.getLevel()).append(' ').append(e.getLoggerName()).append(": ")
        .append(e.getFormattedMessage());
    for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
      b.append(" | ").append(t.getClassName()).append(": ").append(t.getMessage());
      if (t.getStackTraceElementProxyArray().length > 0) {
        b.append(" at ").append(t.getStackTraceElementProxyArray()[0].getSTEAsString());
      }
    }
    return b.toString();
  }

  @Override
  public void close() {
    muted.forEach(root::addAppender);
    muted.clear();
    root.detachAppender(this);
    stop();
  }
}
