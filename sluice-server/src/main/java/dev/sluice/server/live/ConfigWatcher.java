package dev.sluice.server.live;

import dev.sluice.config.ConfigException;
import dev.sluice.config.ConfigProblem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads the config file when its text changes, checking every {@code interval} on a thread of
 * its own (never an event loop). Polling the text rather than relying on file events also catches
 * editors that replace the file by renaming. A file that fails validation is logged with every
 * problem and the running config stays; a file that cannot be read is logged once per change. A
 * {@code PUT /admin/config} is not overwritten until the file itself changes again.
 */
public final class ConfigWatcher implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ConfigWatcher.class);

  private final Path file;
  private final LiveConfig config;
  private final ScheduledExecutorService executor;
  private String lastSeen;
  private String lastError;

  public ConfigWatcher(Path file, String startedWith, LiveConfig config, Duration interval) {
    this.file = file;
    this.config = config;
    this.lastSeen = startedWith;
    this.executor = Executors.newSingleThreadScheduledExecutor(
        Thread.ofPlatform().daemon().name("sluice-config-watch").factory());
    long ms = Math.max(10, interval.toMillis());
    executor.scheduleWithFixedDelay(this::check, ms, ms, TimeUnit.MILLISECONDS);
  }

  private void check() {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException | RuntimeException e) {
      String why = e instanceof NoSuchFileException ? "no such file" : e.toString();
      if (!why.equals(lastError)) {
        lastError = why;
        log.atWarn().addKeyValue("event", "config-watch-failed").addKeyValue("file", file.toString())
            .addKeyValue("reason", why).log("cannot read the config file; the running config stays");
      }
      return;
    }
    lastError = null;
    if (text.equals(lastSeen)) {
      return;
    }
    lastSeen = text;
    try {
      config.apply(text, file.toString());
    } catch (ConfigException e) {
      for (ConfigProblem p : e.problems()) {
        log.atWarn().addKeyValue("event", "config-rejected").addKeyValue("file", p.file())
            .addKeyValue("line", p.line()).addKeyValue("path", p.path()).addKeyValue("problem", p.message())
            .log(p.toString());
      }
      log.atWarn().addKeyValue("event", "config-rejected").addKeyValue("file", file.toString())
          .addKeyValue("problems", e.problems().size())
          .log("the changed config file is invalid; the running config stays");
    } catch (RuntimeException e) {
      log.atError().setCause(e).addKeyValue("file", file.toString()).log("config reload failed");
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
