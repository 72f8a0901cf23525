package dev.sluice.server;

/** Appends JSON values to a {@link StringBuilder}, for the few bodies written on the hot path. */
final class Json {

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private Json() {}

  /** Appends {@code value} as a JSON string, or {@code null}. */
  static StringBuilder string(StringBuilder sb, String value) {
    if (value == null) {
      return sb.append("null");
    }
    sb.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x2028 || c == 0x2029) {
            sb.append("\\u").append(HEX[(c >> 12) & 0xF]).append(HEX[(c >> 8) & 0xF])
                .append(HEX[(c >> 4) & 0xF]).append(HEX[c & 0xF]);
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"');
  }

  /** Appends {@code "name":} after a comma unless it is the first member. */
  static StringBuilder name(StringBuilder sb, String name) {
    char last = sb.isEmpty() ? '{' : sb.charAt(sb.length() - 1);
    if (last != '{' && last != '[') {
      sb.append(',');
    }
    return sb.append('"').append(name).append("\":");
  }
}
