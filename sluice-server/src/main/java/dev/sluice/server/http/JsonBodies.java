package dev.sluice.server.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes the JSON bodies Sluice answers with (decisions, problems, the admin views) through one
 * shared {@link JsonFactory} and its streaming {@link JsonGenerator}, as UTF-8 bytes.
 *
 * <p>The factory escapes strings as Sluice always has, so bodies stay byte-for-byte the same: only
 * {@code "}, {@code \}, {@code \n}, {@code \r} and {@code \t} get short escapes, every other control
 * character and U+2028/U+2029 a lower-case {@code \}{@code u00xx}; {@code /} and other non-ASCII
 * text are written as they are, a surrogate pair as one 4-byte UTF-8 character. Through {@link
 * #string}, an unpaired surrogate is written as {@code ?} (what {@code String.getBytes(UTF_8)} did).
 *
 * <p>A generator's buffers come from Jackson's per-thread recycler, so writing a body allocates
 * little beyond the generator and the finished array.
 */
public final class JsonBodies {

  /** Writes JSON (a whole value, or members of an object already started) to a generator. */
  @FunctionalInterface
  public interface Content {

    /** Writes to {@code g}; the generator writes to memory, so it only throws for a bug. */
    void write(JsonGenerator g) throws IOException;
  }

  /** The one factory every body is written with; thread-safe. */
  static final JsonFactory FACTORY = new JsonFactoryBuilder()
      .disable(JsonWriteFeature.WRITE_HEX_UPPER_CASE)
      .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
      .characterEscapes(new Escapes())
      .build();

  private JsonBodies() {}

  /** Returns what {@code content} writes, as UTF-8 JSON. */
  public static byte[] write(Content content) {
    Bytes out = new Bytes();
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      content.write(g);
    } catch (IOException e) {
      throw new UncheckedIOException("writing JSON to memory", e);
    }
    return out.toByteArray();
  }

  /** Writes {@code value} as a JSON string, or {@code null}; an unpaired surrogate becomes {@code ?}. */
  public static void string(JsonGenerator g, String value) throws IOException {
    if (value == null) {
      g.writeNull();
    } else {
      g.writeString(wellFormed(value));
    }
  }

  /** Writes the member {@code name} with {@link #string(JsonGenerator, String) string} {@code value}. */
  public static void stringField(JsonGenerator g, String name, String value) throws IOException {
    g.writeFieldName(name);
    string(g, value);
  }

  /** Writes the member {@code name} with {@link #string(JsonGenerator, String) string} {@code value}. */
  public static void stringField(JsonGenerator g, SerializableString name, String value) throws IOException {
    g.writeFieldName(name);
    string(g, value);
  }

  /** Returns {@code s}, or a copy with each unpaired surrogate replaced by {@code ?} (rare: scanned first). */
  private static String wellFormed(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.isSurrogate(s.charAt(i))) {
        return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
      }
    }
    return s;
  }

  /** Jackson's JSON escapes, with {@code \b} and {@code \f} as {@code \}{@code u00xx}, and U+2028, U+2029 escaped. */
  private static final class Escapes extends CharacterEscapes {
    private static final long serialVersionUID = 1L;
    private static final SerializedString LINE_SEPARATOR = new SerializedString("\\u2028");
    private static final SerializedString PARAGRAPH_SEPARATOR = new SerializedString("\\u2029");

    private final int[] ascii = standardAsciiEscapesForJSON();

    Escapes() {
      ascii['\b'] = ESCAPE_STANDARD;
      ascii['\f'] = ESCAPE_STANDARD;
    }

    @Override
    public int[] getEscapeCodesForAscii() {
      return ascii;
    }

    @Override
    public SerializableString getEscapeSequence(int ch) {
      return ch == 0x2028 ? LINE_SEPARATOR : ch == 0x2029 ? PARAGRAPH_SEPARATOR : null;
    }
  }

  /**
   * Collects what the generator flushes. A body that fits the generator's buffer (a decision, a
   * problem) arrives in one write on close and is kept as that one exact-size array.
   */
  private static final class Bytes extends OutputStream {
    private byte[] buf = new byte[0];
    private int count;

    @Override
    public void write(int b) {
      ensure(1);
      buf[count++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      if (count == 0) {
        buf = Arrays.copyOfRange(b, off, off + len);
        count = len;
        return;
      }
      ensure(len);
      System.arraycopy(b, off, buf, count, len);
      count += len;
    }

    private void ensure(int more) {
      if (count + more > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(count + more, 2 * buf.length));
      }
    }

    byte[] toByteArray() {
      return count == buf.length ? buf : Arrays.copyOf(buf, count);
    }
  }
}
