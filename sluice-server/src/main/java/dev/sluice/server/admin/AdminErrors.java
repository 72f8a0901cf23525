package dev.sluice.server.admin;

import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.ContentTooLargeException;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.util.Exceptions;
import com.linecorp.armeria.server.HttpStatusException;
import com.linecorp.armeria.server.RequestTimeoutException;
import com.linecorp.armeria.server.ServerErrorHandler;
import com.linecorp.armeria.server.ServiceConfig;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.sluice.server.http.BadRequestException;
import dev.sluice.server.http.Problem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renders every error the admin port answers as an RFC 9457 problem body: Armeria's own statuses
 * (404, 405, 413, protocol violations) and exceptions that escape a service. A failure reading the
 * request is the client's (4xx), never a 5xx; only a bug in Sluice answers 500. Stateless.
 */
public final class AdminErrors implements ServerErrorHandler {

  private static final Logger log = LoggerFactory.getLogger(AdminErrors.class);

  /** Returns the problem for a failure while reading a request body. */
  static Problem forCause(Throwable cause) {
    Throwable c = Exceptions.peel(cause);
    if (c instanceof BadRequestException b) {
      return b.problem();
    }
    if (c instanceof ContentTooLargeException t) {
      return Problem.tooLarge(t.maxContentLength());
    }
    if (c instanceof RequestTimeoutException) {
      return AdminResponses.problem(HttpStatus.REQUEST_TIMEOUT, "request-timeout",
          "the request body did not arrive in time");
    }
    if (c instanceof HttpStatusException s && s.httpStatus().isClientError()) {
      return AdminResponses.problem(s.httpStatus(), "http-" + s.httpStatus().code(), s.httpStatus().reasonPhrase());
    }
    return AdminResponses.problem(HttpStatus.BAD_REQUEST, "unreadable", "the request could not be read");
  }

  @Override
  public HttpResponse onServiceException(ServiceRequestContext ctx, Throwable cause) {
    Throwable c = Exceptions.peel(cause);
    if (c instanceof BadRequestException || c instanceof ContentTooLargeException
        || c instanceof HttpStatusException s && s.httpStatus().isClientError()) {
      return AdminResponses.response(forCause(c));
    }
    if (c instanceof RequestTimeoutException) {
      return AdminResponses.response(
          AdminResponses.problem(HttpStatus.SERVICE_UNAVAILABLE, "timeout", "the request timed out"));
    }
    log.atError().setCause(c).addKeyValue("path", ctx.path()).log("unexpected error");
    return AdminResponses.response(AdminResponses.problem(HttpStatus.INTERNAL_SERVER_ERROR, "internal",
        "an unexpected error; see the server log"));
  }

  @Override
  public AggregatedHttpResponse renderStatus(ServiceRequestContext ctx, ServiceConfig config,
      RequestHeaders headers, HttpStatus status, String description, Throwable cause) {
    return problem(status, description);
  }

  @Override
  public AggregatedHttpResponse onProtocolViolation(ServiceConfig config, RequestHeaders headers,
      HttpStatus status, String description, Throwable cause) {
    return problem(status, description);
  }

  private static AggregatedHttpResponse problem(HttpStatus status, String description) {
    String detail = switch (status.code()) {
      case 404 -> "no such route";
      case 405 -> "method not allowed on this route";
      case 413 -> "the request body is too large";
      default -> description != null ? description : status.reasonPhrase();
    };
    return AdminResponses.aggregated(AdminResponses.problem(status, "http-" + status.code(), detail), null, null);
  }
}
