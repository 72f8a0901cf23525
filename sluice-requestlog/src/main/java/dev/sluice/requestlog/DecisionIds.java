package dev.sluice.requestlog;

import java.security.SecureRandom;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Thread-safe source of decision ids: a 64-bit prefix fixed per source, written as 13 base-32
 * digits, a hyphen, and a counter in base 36 ({@code 4kq0v7s1m2c9e-1}, {@code 4kq0v7s1m2c9e-2s},
 * ...). An id is unique within its source; a {@link #random()} prefix (one per server process)
 * makes ids of different processes or restarts collide only with probability about n² / 2^65 for
 * n processes, and a {@link #seeded} prefix makes a simulated run's ids repeatable.
 *
 * <ol>
 *   <li>{@link #next} never returns the same id twice for one instance and never blocks (one
 *       atomic increment).
 *   <li>Every id it returns passes {@link #isWellFormed}.
 * </ol>
 */
public final class DecisionIds {

  /** Longest id {@link #isWellFormed} accepts back from a client. */
  public static final int MAX_LENGTH = 64;

  private final String prefix;
  private final AtomicLong counter = new AtomicLong();

  private DecisionIds(long prefix) {
    String digits = Long.toUnsignedString(prefix, 32);
    this.prefix = "0".repeat(13 - digits.length()) + digits + "-";
  }

  /** Returns a source with a prefix from {@link SecureRandom}: one per server process. */
  public static DecisionIds random() {
    return new DecisionIds(new SecureRandom().nextLong());
  }

  /**
   * Returns a source whose ids are a pure function of {@code seed} and {@code stream} (e.g. a
   * simulated run's seed and policy), so that two runs with the same inputs name their decisions
   * alike and runs of different policies do not share ids.
   */
  public static DecisionIds seeded(long seed, String stream) {
    long mixed = seed ^ (stream.hashCode() * 0x9E37_79B9_7F4A_7C15L);
    return new DecisionIds(new SplittableRandom(mixed).nextLong());
  }

  /** Returns the next id. */
  public String next() {
    return prefix + Long.toString(counter.incrementAndGet(), 36);
  }

  /**
   * Returns whether {@code id} may be taken back as a decision id (on {@code POST /v1/feedback}): 1
   * to {@value #MAX_LENGTH} characters from {@code A-Z a-z 0-9 . _ : -}. Ids are not checked
   * against those issued: a decision may have been made by another node or before a restart.
   */
  public static boolean isWellFormed(String id) {
    if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
          || c == '.' || c == '_' || c == ':' || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
