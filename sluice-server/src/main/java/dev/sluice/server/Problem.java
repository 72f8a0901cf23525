package dev.sluice.server;

import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.ResponseHeadersBuilder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * An RFC 9457 problem detail, rendered as {@code application/problem+json}.
 *
 * @param status the HTTP status
 * @param type a URI naming the kind of problem, {@code urn:sluice:problem:<slug>}
 * @param title a short summary of the kind of problem
 * @param detail what went wrong with this request
 * @param errors one entry per bad field (JSON pointer or config path, and a reason); may be empty
 */
record Problem(HttpStatus status, String type, String title, String detail, List<FieldError> errors) {

  /** The media type of every problem body. */
  static final MediaType PROBLEM_JSON = MediaType.parse("application/problem+json; charset=utf-8");

  /** Requires every component; copies the errors. */
  Problem {
    if (status == null || type == null || title == null || detail == null) {
      throw new IllegalArgumentException("problem: status, type, title and detail are required");
    }
    errors = errors == null ? List.of() : List.copyOf(errors);
  }

  /**
   * One bad field of a request body or config.
   *
   * @param pointer where: a JSON pointer such as {@code /0/cost}, or a config path such as {@code
   *     tiers.premium.per-client.rate}
   * @param line the line in a YAML body, or 0 when not known
   * @param detail what is wrong, e.g. {@code -3 (expected: >= 1)}
   */
  record FieldError(String pointer, int line, String detail) {}

  /** A 400 for a request body that cannot be used, with every bad field. */
  static Problem badRequest(String detail, List<FieldError> errors) {
    return new Problem(HttpStatus.BAD_REQUEST, "urn:sluice:problem:bad-request", "Bad Request", detail, errors);
  }

  /** A 413 for a request body above {@code maxBytes}. */
  static Problem tooLarge(long maxBytes) {
    return of(HttpStatus.REQUEST_ENTITY_TOO_LARGE, "too-large", "the request body is larger than " + maxBytes + " bytes");
  }

  /** A problem of {@code status} with a slug derived type and the status' reason phrase as title. */
  static Problem of(HttpStatus status, String slug, String detail) {
    return new Problem(status, "urn:sluice:problem:" + slug, status.reasonPhrase(), detail, List.of());
  }

  /** Returns the JSON body; {@code extra} members (already JSON, starting with a comma) are appended. */
  String json(String extra) {
    StringBuilder sb = new StringBuilder(160);
    sb.append('{');
    Json.name(sb, "type");
    Json.string(sb, type);
    Json.name(sb, "title");
    Json.string(sb, title);
    Json.name(sb, "status").append(status.code());
    Json.name(sb, "detail");
    Json.string(sb, detail);
    if (!errors.isEmpty()) {
      Json.name(sb, "errors").append('[');
      for (int i = 0; i < errors.size(); i++) {
        FieldError e = errors.get(i);
        sb.append(i == 0 ? "{" : ",{");
        Json.name(sb, "pointer");
        Json.string(sb, e.pointer());
        if (e.line() > 0) {
          Json.name(sb, "line").append(e.line());
        }
        Json.name(sb, "detail");
        Json.string(sb, e.detail());
        sb.append('}');
      }
      sb.append(']');
    }
    if (extra != null) {
      sb.append(extra);
    }
    return sb.append('}').toString();
  }

  /** Returns the problem as an edge reply with no extra fields. */
  Reply toReply() {
    return toReply(null, null);
  }

  /** Returns the problem as an edge reply with extra header fields and JSON members. */
  Reply toReply(io.netty.handler.codec.http.HttpHeaders headers, String extraJson) {
    io.netty.handler.codec.http.HttpHeaders h = headers == null
        ? Reply.fields() : headers;
    h.set(io.netty.handler.codec.http.HttpHeaderNames.CONTENT_TYPE, PROBLEM_JSON.toString());
    return new Reply(status.code(), h, json(extraJson).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Returns the problem as an edge reply naming {@code requestId} in a {@code requestId} member
   * and in the {@code X-Request-Id} header field.
   */
  Reply toReply(String requestId) {
    io.netty.handler.codec.http.HttpHeaders h = Reply.fields();
    h.set(RequestIds.HEADER, requestId);
    StringBuilder extra = new StringBuilder(32).append(",\"requestId\":");
    Json.string(extra, requestId);
    return toReply(h, extra.toString());
  }

  /** Returns the problem as a response. */
  HttpResponse toResponse() {
    return toAggregated(null, null).toHttpResponse();
  }

  /** Returns the problem as an aggregated response with extra headers and JSON members. */
  AggregatedHttpResponse toAggregated(ResponseHeadersBuilder headers, String extraJson) {
    ResponseHeadersBuilder h = headers == null ? ResponseHeaders.builder(status) : headers.status(status);
    h.contentType(PROBLEM_JSON);
    return AggregatedHttpResponse.of(h.build(),
        com.linecorp.armeria.common.HttpData.wrap(json(extraJson).getBytes(StandardCharsets.UTF_8)));
  }
}
