package dev.sluice.server.admin;

import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.ResponseHeadersBuilder;
import dev.sluice.server.http.JsonBodies;
import dev.sluice.server.http.Problem;
import java.util.List;

/**
 * Armeria responses for the admin port: JSON bodies written with {@link JsonBodies}, and {@link
 * Problem}s rendered as {@code application/problem+json}. The edge renders its own with {@code
 * edge.Reply.problem}. Stateless.
 */
final class AdminResponses {

  /** The media type of every problem body. */
  static final MediaType PROBLEM_JSON = MediaType.parse(Problem.MEDIA_TYPE);

  private AdminResponses() {}

  /** Returns a 200 {@code application/json} response with the body {@code content} writes. */
  static HttpResponse json(JsonBodies.Content content) {
    return HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, HttpData.wrap(JsonBodies.write(content)));
  }

  /**
   * A problem of {@code status} with a slug derived type and Armeria's reason phrase as title (the
   * one the admin port has always used; it differs from Netty's for 103, 308 and 499).
   */
  static Problem problem(HttpStatus status, String slug, String detail) {
    return new Problem(status.code(), Problem.TYPE_PREFIX + slug, status.reasonPhrase(), detail, List.of());
  }

  /** Returns {@code problem} as a response. */
  static HttpResponse response(Problem problem) {
    return aggregated(problem, null, null).toHttpResponse();
  }

  /**
   * Returns {@code problem} as an aggregated response with extra headers (may be null; their status
   * is set to the problem's) and the JSON members {@code extra} writes (may be null).
   */
  static AggregatedHttpResponse aggregated(Problem problem, ResponseHeadersBuilder headers,
      JsonBodies.Content extra) {
    HttpStatus status = HttpStatus.valueOf(problem.status());
    ResponseHeadersBuilder h = headers == null ? ResponseHeaders.builder(status) : headers.status(status);
    h.contentType(PROBLEM_JSON);
    return AggregatedHttpResponse.of(h.build(), HttpData.wrap(problem.json(extra)));
  }
}
