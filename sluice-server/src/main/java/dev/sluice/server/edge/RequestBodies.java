package dev.sluice.server.edge;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import dev.sluice.requestlog.DecisionIds;
import dev.sluice.server.http.BadRequestException;
import dev.sluice.server.http.Problem;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses the JSON bodies of {@code POST /v1/decisions} and {@code POST /v1/feedback}: one object or
 * a non-empty array of at most {@value #MAX_BATCH}. Strict: unknown fields, wrong types, duplicate
 * fields and trailing content are errors, and every bad field is reported with its JSON pointer.
 * Stateless and thread-safe.
 */
final class RequestBodies {

  /** The most items a batch may hold. */
  static final int MAX_BATCH = 1000;

  /** The deepest nesting of arrays and objects a body may have. */
  static final int MAX_DEPTH = 16;

  private static final int MAX_ERRORS = 50;
  private static final int MAX_METHOD = 32;
  private static final double MAX_LATENCY_MS = 86_400_000;

  private static final JsonFactory JSON = JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
      .build();

  private static final List<String> DECISION_FIELDS = List.of("key", "tier", "method", "path", "cost");
  private static final List<String> FEEDBACK_FIELDS =
      List.of("key", "latencyMs", "status", "tier", "method", "path", "permit", "decisionId");
  private static final List<String> PREDICT_FIELDS = List.of("tier");
  /** The most digits of a permit id (a positive {@code long}). */
  private static final int MAX_PERMIT_DIGITS = 19;

  private RequestBodies() {}

  /**
   * One request for a decision.
   *
   * @param key the client key (required)
   * @param tier the tier named, or {@code null} for the client's assigned or the default tier
   * @param method the request's method, or {@code null}
   * @param path the request's path, or {@code null}
   * @param cost the cost given, or 0 to take it from the cost rules
   */
  record DecisionRequest(String key, String tier, String method, String path, int cost) {}

  /**
   * One outcome a gateway reports.
   *
   * @param key the client key (required)
   * @param tier the client's tier, or {@code null}
   * @param method the request's method, or {@code null}
   * @param path the request's path, or {@code null}
   * @param latencyMs the upstream's latency in milliseconds (required, 0..86400000)
   * @param status the upstream's status (required, 100..599)
   * @param permit the permit to release, as {@code /v1/decisions} gave it, or 0 for none
   * @param decisionId the id of the decision this outcome belongs to, as {@code /v1/decisions} gave
   *     it, or {@code null}; only written to the request log
   */
  record Feedback(String key, String tier, String method, String path, double latencyMs, int status,
      long permit, String decisionId) {}

  /**
   * The items of a body.
   *
   * @param items one or more items
   * @param batch whether the body was an array (answered with an array)
   */
  record Parsed<T>(List<T> items, boolean batch) {}

  /** Parses a decisions body; throws {@link BadRequestException} listing every problem. */
  static Parsed<DecisionRequest> decisions(byte[] body) {
    return parse(body, RequestBodies::decision, DECISION_FIELDS);
  }

  /**
   * Parses a {@code /v1/predict} body: one object, {@code {}} for the global demand or {@code
   * {"tier": T}}; returns the tier or {@code null}. Throws {@link BadRequestException} listing every problem.
   */
  static String predict(byte[] body) {
    Parsed<String> p = parse(body, (f, at, errors) -> f.string("tier", at, 64, errors), PREDICT_FIELDS);
    if (p.batch()) {
      throw bad("an array (expected: one JSON object)", new ArrayList<>());
    }
    return p.items().getFirst();
  }

  /** Parses a feedback body; throws {@link BadRequestException} listing every problem. */
  static Parsed<Feedback> feedback(byte[] body) {
    return parse(body, RequestBodies::feedbackItem, FEEDBACK_FIELDS);
  }

  @FunctionalInterface
  private interface ItemReader<T> {
    T read(Fields fields, String pointer, List<Problem.FieldError> errors);
  }

  private static <T> Parsed<T> parse(byte[] body, ItemReader<T> reader, List<String> known) {
    List<Problem.FieldError> errors = new ArrayList<>();
    List<T> items = new ArrayList<>();
    boolean batch = false;
    try (JsonParser p = JSON.createParser(body)) {
      JsonToken root = p.nextToken();
      if (root == null) {
        throw bad("empty body (expected: a JSON object or array)", errors);
      }
      if (root == JsonToken.START_ARRAY) {
        batch = true;
        int i = 0;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
          if (i == MAX_BATCH) {
            throw bad("more than " + MAX_BATCH + " items (expected: at most " + MAX_BATCH + ")", errors);
          }
          String pointer = "/" + i;
          if (t == JsonToken.START_OBJECT) {
            T item = reader.read(Fields.read(p, pointer, errors, known), pointer, errors);
            items.add(item);
          } else {
            add(errors, pointer, describe(p, t) + " (expected: an object)");
            p.skipChildren();
          }
          i++;
        }
        if (i == 0) {
          throw bad("empty array (expected: at least one item)", errors);
        }
      } else if (root == JsonToken.START_OBJECT) {
        items.add(reader.read(Fields.read(p, "", errors, known), "", errors));
      } else {
        throw bad(describe(p, root) + " (expected: a JSON object or array)", errors);
      }
      if (p.nextToken() != null) {
        throw bad("trailing content after the JSON value", errors);
      }
    } catch (StreamConstraintsException e) {
      throw bad("JSON nested deeper than " + MAX_DEPTH + " levels", List.of());
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      throw bad("malformed JSON" + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr())
          + ": " + e.getOriginalMessage(), List.of());
    } catch (IOException e) {
      throw bad("unreadable body: " + e.getMessage(), List.of());
    }
    if (!errors.isEmpty()) {
      throw bad(errors.size() == 1 ? "1 invalid field" : errors.size() + " invalid fields", errors);
    }
    return new Parsed<>(items, batch);
  }

  private static DecisionRequest decision(Fields f, String at, List<Problem.FieldError> errors) {
    String key = f.key(at, errors);
    String tier = f.string("tier", at, 64, errors);
    String method = f.string("method", at, MAX_METHOD, errors);
    String path = f.path(at, errors);
    int cost = 0;
    if (f.has("cost")) {
      Object c = f.get("cost");
      if (c instanceof Long n && n >= 1 && n <= Integer.MAX_VALUE) {
        cost = (int) (long) n;
      } else if (c instanceof Long n) {
        add(errors, at + "/cost", n + " (expected: an integer from 1 to " + Integer.MAX_VALUE + ")");
      } else {
        add(errors, at + "/cost", Fields.show(c) + " (expected: an integer >= 1)");
      }
    }
    return new DecisionRequest(key, tier, method, path, cost);
  }

  private static Feedback feedbackItem(Fields f, String at, List<Problem.FieldError> errors) {
    String key = f.key(at, errors);
    String tier = f.string("tier", at, 64, errors);
    String method = f.string("method", at, MAX_METHOD, errors);
    String path = f.path(at, errors);
    double latency = -1;
    if (!f.has("latencyMs")) {
      add(errors, at + "/latencyMs", "missing (expected: the upstream latency in milliseconds)");
    } else if (f.get("latencyMs") instanceof Number n && n.doubleValue() >= 0 && n.doubleValue() <= MAX_LATENCY_MS) {
      latency = n.doubleValue();
    } else {
      add(errors, at + "/latencyMs", Fields.show(f.get("latencyMs")) + " (expected: a number from 0 to "
          + (long) MAX_LATENCY_MS + ")");
    }
    int status = 0;
    if (!f.has("status")) {
      add(errors, at + "/status", "missing (expected: an HTTP status such as 200)");
    } else if (f.get("status") instanceof Long n && n >= 100 && n <= 599) {
      status = (int) (long) n;
    } else {
      add(errors, at + "/status", Fields.show(f.get("status")) + " (expected: an integer from 100 to 599)");
    }
    long permit = 0;
    if (f.has("permit")) {
      Object v = f.get("permit");
      permit = v instanceof String s ? permit(s) : -1;
      if (permit < 0) {
        add(errors, at + "/permit", Fields.show(v)
            + " (expected: a permit id from /v1/decisions, a string of 1 to 19 decimal digits)");
      }
    }
    String decisionId = null;
    Object id = f.has("decisionId") ? f.get("decisionId") : null;
    if (id instanceof String s && DecisionIds.isWellFormed(s)) {
      decisionId = s;
    } else if (id != null) {
      add(errors, at + "/decisionId", Fields.show(id) + " (expected: a decision id from /v1/decisions, a string of"
          + " 1 to " + DecisionIds.MAX_LENGTH + " characters from A-Z a-z 0-9 . _ : -)");
    }
    return new Feedback(key, tier, method, path, latency, status, permit, decisionId);
  }

  /**
   * Returns the permit handle a permit id ({@link DecisionService#permitId}) names, or -1 when
   * {@code id} is not one: 1 to 19 ASCII digits whose value fits a {@code long}. Whether the store
   * issued it is not checked here.
   */
  static long permit(String id) {
    if (id.isEmpty() || id.length() > MAX_PERMIT_DIGITS) {
      return -1;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
    }
    try {
      return Long.parseLong(id);
    } catch (NumberFormatException tooLarge) {
      return -1;
    }
  }

  static void add(List<Problem.FieldError> errors, String pointer, String detail) {
    if (errors.size() < MAX_ERRORS) {
      errors.add(new Problem.FieldError(pointer, 0, detail));
    }
  }

  private static String describe(JsonParser p, JsonToken t) throws IOException {
    return switch (t) {
      case START_ARRAY -> "an array";
      case START_OBJECT -> "an object";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> p.getText();
      case VALUE_TRUE, VALUE_FALSE -> p.getText();
      case VALUE_NULL -> "null";
      default -> t.asString() == null ? t.name() : t.asString();
    };
  }

  private static BadRequestException bad(String detail, List<Problem.FieldError> errors) {
    return new BadRequestException(Problem.badRequest(detail, errors));
  }
}
