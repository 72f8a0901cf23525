package dev.sluice.server;

import java.nio.file.Path;

/**
 * Where and how the request log for training is written (schema: {@code docs/request-log.md}).
 *
 * @param path the JSON Lines file; rotated files are {@code path.1} (newest) to {@code path.N}
 * @param sampleRate the fraction of requests logged, 0..1
 * @param maxBytes the size at which the file is rotated, at least 1024
 * @param maxFiles how many rotated files are kept besides the current one, at least 1
 * @param bufferRecords how many records may wait for the writer; beyond it records are dropped
 *     (and counted in {@code sluice_request_log_dropped_total}) rather than blocking a request
 */
public record RequestLogOptions(Path path, double sampleRate, long maxBytes, int maxFiles, int bufferRecords) {

  /** Validates every setting. */
  public RequestLogOptions {
    if (path == null) {
      throw new IllegalArgumentException("request log path: null (expected: a file)");
    }
    if (!(sampleRate >= 0 && sampleRate <= 1)) {
      throw new IllegalArgumentException("request log sample rate: " + sampleRate + " (expected: 0..1)");
    }
    if (maxBytes < 1024) {
      throw new IllegalArgumentException("request log max size: " + maxBytes + " (expected: >= 1024 bytes)");
    }
    if (maxFiles < 1) {
      throw new IllegalArgumentException("request log files: " + maxFiles + " (expected: >= 1)");
    }
    if (bufferRecords < 1) {
      throw new IllegalArgumentException("request log buffer: " + bufferRecords + " (expected: >= 1)");
    }
  }

  /** Returns options logging every request to {@code path}, rotated at 100 MiB, 5 files kept. */
  public static RequestLogOptions of(Path path) {
    return new RequestLogOptions(path, 1.0, 100L << 20, 5, 65_536);
  }

  /** Returns a copy with {@code sampleRate}. */
  public RequestLogOptions withSampleRate(double rate) {
    return new RequestLogOptions(path, rate, maxBytes, maxFiles, bufferRecords);
  }

  /** Returns a copy rotated at {@code bytes} keeping {@code files} old files. */
  public RequestLogOptions withRotation(long bytes, int files) {
    return new RequestLogOptions(path, sampleRate, bytes, files, bufferRecords);
  }

  /** Returns a copy buffering at most {@code records}. */
  public RequestLogOptions withBuffer(int records) {
    return new RequestLogOptions(path, sampleRate, maxBytes, maxFiles, records);
  }
}
