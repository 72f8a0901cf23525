package dev.sluice.server.http;

import io.netty.util.AsciiString;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Ids for the responses Sluice answers with a 5xx of its own (502, 503, 504, 500), so that a
 * client's report can be matched with the log line that holds the cause: a random prefix chosen
 * once per process and a counter, e.g. {@code 5f3a9c0e-1b}. Ids are made only when such a response
 * is, never on the hot path. Thread-safe.
 */
public final class RequestIds {

  /** The response header field that carries the id. */
  public static final AsciiString HEADER = AsciiString.cached("x-request-id");

  private static final String PREFIX = String.format("%08x", ThreadLocalRandom.current().nextInt());
  private static final AtomicLong NEXT = new AtomicLong();

  private RequestIds() {}

  /** Returns a new id, unique within this process and very likely across processes. */
  public static String next() {
    return PREFIX + "-" + Long.toString(NEXT.incrementAndGet(), 36);
  }
}
