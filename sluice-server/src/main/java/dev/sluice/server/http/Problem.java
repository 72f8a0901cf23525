package dev.sluice.server.http;

import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.util.List;

/**
 * An RFC 9457 problem detail, rendered as {@code application/problem+json}. Transport-neutral:
 * {@code edge.Reply.problem} renders it for the edge, {@code admin.AdminResponses} for the admin port.
 *
 * @param status the HTTP status code
 * @param type a URI naming the kind of problem, {@code urn:sluice:problem:<slug>}
 * @param title a short summary of the kind of problem
 * @param detail what went wrong with this request
 * @param errors one entry per bad field (JSON pointer or config path, and a reason); may be empty
 */
public record Problem(int status, String type, String title, String detail, List<FieldError> errors) {

  /** The media type of every problem body. */
  public static final String MEDIA_TYPE = "application/problem+json; charset=utf-8";

  /** The prefix of every problem type; a slug follows. */
  public static final String TYPE_PREFIX = "urn:sluice:problem:";

  /** Requires every component; copies the errors. */
  public Problem {
    if (type == null || title == null || detail == null) {
      throw new IllegalArgumentException("problem: type, title and detail are required");
    }
    errors = errors == null ? List.of() : List.copyOf(errors);
  }

  /** A problem of {@code status} (Netty's constant, for edge callers). */
  public Problem(HttpResponseStatus status, String type, String title, String detail, List<FieldError> errors) {
    this(status.code(), type, title, detail, errors);
  }

  /**
   * One bad field of a request body or config.
   *
   * @param pointer where: a JSON pointer such as {@code /0/cost}, or a config path such as {@code
   *     tiers.premium.per-client.rate}
   * @param line the line in a YAML body, or 0 when not known
   * @param detail what is wrong, e.g. {@code -3 (expected: >= 1)}
   */
  public record FieldError(String pointer, int line, String detail) {}

  /** A 400 for a request body that cannot be used, with every bad field. */
  public static Problem badRequest(String detail, List<FieldError> errors) {
    return new Problem(400, TYPE_PREFIX + "bad-request", "Bad Request", detail, errors);
  }

  /** A 413 for a request body above {@code maxBytes}. */
  public static Problem tooLarge(long maxBytes) {
    return of(413, "too-large", "the request body is larger than " + maxBytes + " bytes");
  }

  /** A problem of {@code status} with a slug derived type and the status' reason phrase (Netty's) as title. */
  public static Problem of(int status, String slug, String detail) {
    return new Problem(status, TYPE_PREFIX + slug, HttpResponseStatus.valueOf(status).reasonPhrase(), detail,
        List.of());
  }

  /** A problem of {@code status} (Netty's constant) with a slug derived type and the reason phrase as title. */
  public static Problem of(HttpResponseStatus status, String slug, String detail) {
    return of(status.code(), slug, detail);
  }

  /**
   * Writes the problem as one JSON object: {@code type}, {@code title}, {@code status}, {@code
   * detail}, {@code errors} when there are any, then whatever {@code extra} writes (may be null).
   */
  void write(JsonGenerator g, JsonBodies.Content extra) throws IOException {
    g.writeStartObject();
    JsonBodies.stringField(g, "type", type);
    JsonBodies.stringField(g, "title", title);
    g.writeNumberField("status", status);
    JsonBodies.stringField(g, "detail", detail);
    if (!errors.isEmpty()) {
      g.writeArrayFieldStart("errors");
      for (FieldError e : errors) {
        g.writeStartObject();
        JsonBodies.stringField(g, "pointer", e.pointer());
        if (e.line() > 0) {
          g.writeNumberField("line", e.line());
        }
        JsonBodies.stringField(g, "detail", e.detail());
        g.writeEndObject();
      }
      g.writeEndArray();
    }
    if (extra != null) {
      extra.write(g);
    }
    g.writeEndObject();
  }

  /** Returns the JSON body, with the members {@code extra} writes (may be null) last. */
  public byte[] json(JsonBodies.Content extra) {
    return JsonBodies.write(g -> write(g, extra));
  }
}
