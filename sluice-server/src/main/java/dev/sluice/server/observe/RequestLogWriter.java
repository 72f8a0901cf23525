package dev.sluice.server.observe;

import dev.sluice.requestlog.RequestLogRecord;
import dev.sluice.server.RequestLogOptions;
import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes {@link RequestLogRecord}s as JSON Lines on its own thread; {@link #offer} never blocks.
 * Thread-safe: any number of request threads offer, one writer thread encodes (with the format's one
 * encoder, {@link RequestLogRecord#appendJson}) and writes.
 *
 * <ol>
 *   <li>{@link #offer} either queues the record or, when {@code bufferRecords} records already
 *       wait, drops it and counts it in {@code sluice_request_log_dropped_total}; it never waits.
 *   <li>The writer thread writes records in the order they were queued, flushes after each batch,
 *       and rotates by size: when a record would take the file past {@code maxBytes}, the file
 *       becomes {@code path.1}, older ones shift up, and at most {@code maxFiles} are kept.
 *   <li>{@link #close} writes every record queued before it and then stops the thread.
 * </ol>
 */
public final class RequestLogWriter implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RequestLogWriter.class);
  private static final int BATCH = 1024;

  private final RequestLogOptions options;
  private final ArrayBlockingQueue<RequestLogRecord> queue;
  private final Counter written;
  private final Counter dropped;
  private final Thread thread;
  private volatile boolean closing;
  private OutputStream out;
  private long size;

  /** Creates a writer; it queues records at once but writes only after {@link #start}. */
  public RequestLogWriter(RequestLogOptions options, Counter written, Counter dropped) {
    this.options = options;
    this.queue = new ArrayBlockingQueue<>(options.bufferRecords());
    this.written = written;
    this.dropped = dropped;
    this.thread = Thread.ofPlatform().daemon().name("sluice-request-log").unstarted(this::run);
  }

  /** Opens the file (creating its directory) and starts the writer thread. */
  public RequestLogWriter start() {
    try {
      Path parent = options.path().toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      open();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the request log " + options.path(), e);
    }
    thread.start();
    return this;
  }

  /** Returns whether this request should be logged, by the sampling rate. */
  public boolean sampled() {
    double rate = options.sampleRate();
    return rate >= 1.0 || rate > 0 && ThreadLocalRandom.current().nextDouble() < rate;
  }

  /** Queues {@code record}, or drops and counts it when the buffer is full; never blocks. */
  public void offer(RequestLogRecord record) {
    if (closing || !queue.offer(record)) {
      dropped.increment();
    }
  }

  private void run() {
    List<RequestLogRecord> batch = new ArrayList<>(BATCH);
    StringBuilder line = new StringBuilder(512);
    try {
      while (!closing || !queue.isEmpty()) {
        RequestLogRecord first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, BATCH - 1);
        for (RequestLogRecord r : batch) {
          write(r, line);
        }
        out.flush();
        batch.clear();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException | RuntimeException e) {
      log.atError().setCause(e).addKeyValue("path", options.path().toString())
          .log("request log writer failed; further records are dropped");
      closing = true;
    } finally {
      closeQuietly();
    }
  }

  private void write(RequestLogRecord r, StringBuilder line) throws IOException {
    line.setLength(0);
    r.appendJson(line);
    line.append('\n');
    byte[] bytes = line.toString().getBytes(StandardCharsets.UTF_8);
    if (size > 0 && size + bytes.length > options.maxBytes()) {
      rotate();
    }
    out.write(bytes);
    size += bytes.length;
    written.increment();
  }

  private void open() throws IOException {
    out = Files.newOutputStream(options.path(), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    out = new java.io.BufferedOutputStream(out, 64 * 1024);
    size = Files.size(options.path());
  }

  private void rotate() throws IOException {
    out.close();
    Path path = options.path();
    Files.deleteIfExists(rotated(path, options.maxFiles()));
    for (int i = options.maxFiles() - 1; i >= 1; i--) {
      Path from = rotated(path, i);
      if (Files.exists(from)) {
        Files.move(from, rotated(path, i + 1), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    Files.move(path, rotated(path, 1), StandardCopyOption.REPLACE_EXISTING);
    open();
  }

  /** Returns the name of the {@code n}th rotated file. */
  static Path rotated(Path path, int n) {
    return path.resolveSibling(path.getFileName() + "." + n);
  }

  private void closeQuietly() {
    try {
      if (out != null) {
        out.close();
      }
    } catch (IOException e) {
      log.atWarn().setCause(e).log("closing the request log failed");
    }
  }

  /** Writes what is queued, then stops the writer thread (waiting up to ten seconds). */
  @Override
  public void close() {
    closing = true;
    if (thread.isAlive()) {
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
