package dev.sluice.server.edge;

import dev.sluice.server.http.JsonBodies;
import dev.sluice.server.http.Problem;
import dev.sluice.server.http.RequestIds;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

/**
 * A whole response the edge answers itself (a decision, a problem, a 429): status, header fields
 * and body; {@link #problem} renders a {@link Problem} for the edge. Immutable once built; {@link #toNetty} copies nothing but the header list.
 *
 * @param status the status code
 * @param headers the header fields other than {@code content-length}
 * @param body the body
 */
record Reply(int status, HttpHeaders headers, byte[] body) {

  static final String JSON = "application/json; charset=utf-8";

  private static final HttpHeadersFactory FIELDS = DefaultHttpHeadersFactory.headersFactory().withValidation(false);
  private static final HttpHeadersFactory TRAILERS = DefaultHttpHeadersFactory.trailersFactory().withValidation(false);

  /** Returns empty header fields for an edge response (names and values are ours: not validated again). */
  static HttpHeaders fields() {
    return FIELDS.newHeaders();
  }

  /** Returns a reply with a JSON body (UTF-8, e.g. from {@link JsonBodies#write}) and no other fields. */
  static Reply json(int status, byte[] body) {
    return json(status, Reply.fields(), body);
  }

  /** Returns a reply with a JSON body (UTF-8, e.g. from {@link JsonBodies#write}) and the fields in {@code headers}. */
  static Reply json(int status, HttpHeaders headers, byte[] body) {
    headers.set(HttpHeaderNames.CONTENT_TYPE, JSON);
    return new Reply(status, headers, body);
  }

  /** Returns {@code problem} as a reply ({@code application/problem+json}) with no other fields. */
  static Reply problem(Problem problem) {
    return problem(problem, null, null);
  }

  /** Returns {@code problem} as a reply with extra header fields (may be null) and JSON members (may be null). */
  static Reply problem(Problem problem, HttpHeaders headers, JsonBodies.Content extra) {
    HttpHeaders h = headers == null ? Reply.fields() : headers;
    h.set(HttpHeaderNames.CONTENT_TYPE, Problem.MEDIA_TYPE);
    return new Reply(problem.status(), h, problem.json(extra));
  }

  /**
   * Returns {@code problem} as a reply naming {@code requestId} in a {@code requestId} member and
   * in the {@code X-Request-Id} header field.
   */
  static Reply problem(Problem problem, String requestId) {
    HttpHeaders h = Reply.fields();
    h.set(RequestIds.HEADER, requestId);
    return problem(problem, h, g -> JsonBodies.stringField(g, "requestId", requestId));
  }

  /** Returns the reply as a Netty response for {@code version}. */
  FullHttpResponse toNetty(HttpVersion version) {
    FullHttpResponse res = new DefaultFullHttpResponse(version, HttpResponseStatus.valueOf(status),
        Unpooled.wrappedBuffer(body), FIELDS, TRAILERS);
    res.headers().set(headers);
    res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    return res;
  }
}
