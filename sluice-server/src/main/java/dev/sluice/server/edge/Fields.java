package dev.sluice.server.edge;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.sluice.server.admission.Identity;
import dev.sluice.server.http.Problem;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The scalar fields of one JSON object in a request body, read strictly: names outside the known
 * set are reported, values are kept as {@code String}, {@code Long}, {@code Double}, {@code
 * Boolean}, {@link #NULL} or {@link #NESTED}. Not thread-safe; one per object.
 */
final class Fields {

  /** A JSON {@code null}. */
  static final Object NULL = new Object() {
    @Override
    public String toString() {
      return "null";
    }
  };

  /** An object or array where a scalar belongs. */
  static final Object NESTED = new Object() {
    @Override
    public String toString() {
      return "an object or array";
    }
  };

  private final Map<String, Object> values = new HashMap<>(8);

  private Fields() {}

  /** Reads the object whose START_OBJECT {@code p} is on, reporting unknown names under {@code at}. */
  static Fields read(JsonParser p, String at, List<Problem.FieldError> errors, List<String> known)
      throws IOException {
    Fields f = new Fields();
    for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      Object value = switch (v) {
        case VALUE_STRING -> p.getText();
        case VALUE_NUMBER_INT -> p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
            ? (Object) p.getDoubleValue() : (Object) p.getLongValue();
        case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
        case VALUE_TRUE -> Boolean.TRUE;
        case VALUE_FALSE -> Boolean.FALSE;
        case VALUE_NULL -> NULL;
        default -> {
          p.skipChildren();
          yield NESTED;
        }
      };
      if (!known.contains(name)) {
        RequestBodies.add(errors, at + "/" + escape(name),
            "unknown field (expected: one of " + String.join(", ", known) + ")");
      } else {
        f.values.put(name, value);
      }
    }
    return f;
  }

  /** Returns whether {@code name} was given with a value other than {@code null}. */
  boolean has(String name) {
    Object v = values.get(name);
    return v != null && v != NULL;
  }

  /** Returns the value of {@code name}, {@code null} if absent. */
  Object get(String name) {
    return values.get(name);
  }

  /** Returns the required, non-empty {@code key}, or reports it. */
  String key(String at, List<Problem.FieldError> errors) {
    Object v = values.get("key");
    if (v == null || v == NULL) {
      RequestBodies.add(errors, at + "/key", "missing (expected: the client key, a non-empty string)");
      return null;
    }
    if (!(v instanceof String s) || s.isEmpty() || s.length() > Identity.MAX_KEY_LENGTH) {
      RequestBodies.add(errors, at + "/key", show(v) + " (expected: a string of 1 to "
          + Identity.MAX_KEY_LENGTH + " characters)");
      return null;
    }
    return s;
  }

  /** Returns the optional string {@code name} of at most {@code max} characters, or reports it. */
  String string(String name, String at, int max, List<Problem.FieldError> errors) {
    if (!has(name)) {
      return null;
    }
    Object v = values.get(name);
    if (v instanceof String s && !s.isEmpty() && s.length() <= max) {
      return s;
    }
    RequestBodies.add(errors, at + "/" + name, show(v) + " (expected: a string of 1 to " + max + " characters)");
    return null;
  }

  /** Returns the optional {@code path}, which must start with a slash, or reports it. */
  String path(String at, List<Problem.FieldError> errors) {
    if (!has("path")) {
      return null;
    }
    Object v = values.get("path");
    if (v instanceof String s && s.startsWith("/") && s.length() <= 2048) {
      return s;
    }
    RequestBodies.add(errors, at + "/path", show(v) + " (expected: a path starting with /, at most 2048 characters)");
    return null;
  }

  /** Shows a value in an error message: strings quoted and cut to 40 characters. */
  static String show(Object v) {
    if (v instanceof String s) {
      return "\"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"";
    }
    if (v instanceof Double d && d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 1e15) {
      return Long.toString((long) (double) d) + ".0";
    }
    return String.valueOf(v);
  }

  /** Escapes a member name for a JSON pointer (RFC 6901). */
  private static String escape(String name) {
    String n = name.length() > 40 ? name.substring(0, 40) + "..." : name;
    return n.replace("~", "~0").replace("/", "~1");
  }
}
