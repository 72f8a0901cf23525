package dev.sluice.config.yaml;

import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One node of a parsed YAML document together with the line it is reported on; built by {@link
 * YamlReader}, immutable.
 *
 * <p>A scalar's line is the line its value starts on. A mapping or list that is the value of a key
 * carries the line of that key (a block mapping starts on the line after its key, but the key is
 * where a reader looks); a list item or the root carries the line it starts on.
 *
 * @param kind what the node is
 * @param text a scalar's source text ({@code 0x1F} stays {@code 0x1F}); empty for collections
 * @param number the value of an {@link Kind#INTEGER} or {@link Kind#DECIMAL} scalar ({@code null}
 *     when it is not a finite number: {@code .inf}, {@code .nan}), 1 or 0 for a {@link
 *     Kind#BOOLEAN} ({@code yes} and {@code on} are true, as in YAML 1.1), else {@code null}
 * @param line 1-based line, see above
 * @param fields a mapping's entries in file order; empty for other kinds
 * @param keyLines the line of each key of a mapping
 * @param items a list's items; empty for other kinds
 */
public record YamlNode(
    Kind kind,
    String text,
    BigDecimal number,
    int line,
    Map<String, YamlNode> fields,
    Map<String, Integer> keyLines,
    List<YamlNode> items) {

  /** The kinds of node the config readers tell apart. */
  public enum Kind {
    MAPPING("a mapping"),
    LIST("a list"),
    STRING("a string"),
    INTEGER("an integer"),
    DECIMAL("a number"),
    BOOLEAN("a boolean"),
    NULL("null"),
    /** A node already reported as a problem by the reader (an alias); readers skip it silently. */
    INVALID("an invalid value");

    private final String description;

    Kind(String description) {
      this.description = description;
    }

    /** Returns how a problem message names this kind, e.g. {@code a mapping}. */
    public String description() {
      return description;
    }
  }

  /** Plain strings that a reader could mistake for a number, boolean or null; shown quoted. */
  private static final Pattern LOOKS_TYPED = Pattern.compile(
      "[-+]?([0-9][0-9_]*(\\.[0-9_]*)?([e][-+]?[0-9]+)?|\\.[0-9]+([e][-+]?[0-9]+)?|0x[0-9a-f_]+|\\.inf)"
          + "|\\.nan|true|false|yes|no|on|off|y|n|null|~");

  /** Returns a scalar node. */
  static YamlNode scalar(Kind kind, String text, BigDecimal number, int line) {
    return new YamlNode(kind, text, number, line, Map.of(), Map.of(), List.of());
  }

  /** Returns a mapping node; {@code fields} keeps its iteration order. */
  static YamlNode mapping(Map<String, YamlNode> fields, Map<String, Integer> keyLines, int line) {
    return new YamlNode(Kind.MAPPING, "", null, line,
        java.util.Collections.unmodifiableMap(fields), Map.copyOf(keyLines), List.of());
  }

  /** Returns a list node. */
  static YamlNode list(List<YamlNode> items, int line) {
    return new YamlNode(Kind.LIST, "", null, line, Map.of(), Map.of(), List.copyOf(items));
  }

  /** Returns whether this node is a present, reportable value: neither null nor already invalid. */
  public boolean isPresent() {
    return kind != Kind.NULL && kind != Kind.INVALID;
  }

  /**
   * Returns the node as a problem message shows it: a scalar's source text, quoted when it is a
   * string that would otherwise read as another type or is blank; {@code a mapping} or {@code a
   * list} for collections.
   */
  public String display() {
    return switch (kind) {
      case MAPPING, LIST, INVALID -> kind.description();
      case STRING -> needsQuotes(text) ? '"' + text.replace("\"", "\\\"") + '"' : text;
      default -> text.isEmpty() ? kind.description() : text;
    };
  }

  private static boolean needsQuotes(String s) {
    return s.isBlank() || !s.strip().equals(s) || LOOKS_TYPED.matcher(s.toLowerCase(Locale.ROOT)).matches();
  }
}
