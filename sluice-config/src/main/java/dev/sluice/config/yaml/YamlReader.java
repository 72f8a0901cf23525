package dev.sluice.config.yaml;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.sluice.config.yaml.YamlNode.Kind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Turns YAML text into a {@link YamlNode} tree in one streaming pass over Jackson's {@link
 * YAMLParser}, recording the line of every key and value (Jackson's own {@code JsonNode} tree keeps
 * no locations).
 *
 * <p>Syntax errors end the pass with one problem on the line the YAML parser names. Duplicate keys
 * and aliases ({@code *name}, which Jackson would silently read as the string {@code name}) are
 * recorded as problems and the pass goes on, so the section readers still report everything else.
 */
public final class YamlReader {

  /** An empty plain value ({@code key:}) reads as null, a quoted {@code ""} as an empty string. */
  private static final YAMLFactory FACTORY =
      YAMLFactory.builder().enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL).build();

  private YamlReader() {}

  /**
   * Parses {@code yaml}; returns the root node, a {@link Kind#NULL} node on line 1 for an empty
   * document, or {@code null} after recording a syntax error.
   */
  public static YamlNode read(String yaml, Problems problems) {
    try (YAMLParser parser = FACTORY.createParser(yaml)) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        return YamlNode.scalar(Kind.NULL, "", null, 1);
      }
      YamlNode root = new YamlReader.Pass(parser, problems).value("", -1);
      if (parser.nextToken() != null) {
        problems.add(line(parser), "", "a second YAML document (expected: one document per file)");
      }
      return root;
    } catch (JsonProcessingException e) {
      problems.add(syntaxLine(e), "", syntaxMessage(e));
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException("reading YAML from a string", e);
    }
  }

  private static int line(JsonParser parser) {
    return parser.currentTokenLocation().getLineNr();
  }

  /** The line the YAML parser blames (SnakeYAML's problem mark), else Jackson's location. */
  private static int syntaxLine(JsonProcessingException e) {
    MarkedYAMLException marked = marked(e);
    if (marked != null && marked.getProblemMark() != null) {
      return marked.getProblemMark().getLine() + 1;
    }
    JsonLocation location = e.getLocation();
    return location == null ? 1 : location.getLineNr();
  }

  private static String syntaxMessage(JsonProcessingException e) {
    MarkedYAMLException marked = marked(e);
    if (marked == null || marked.getProblem() == null) {
      String first = String.valueOf(e.getOriginalMessage()).lines().findFirst().orElse("");
      return "invalid YAML: " + first;
    }
    String message = "invalid YAML: " + marked.getProblem().strip();
    if (marked.getContext() != null && marked.getContextMark() != null
        && marked.getContextMark().getLine() != marked.getProblemMark().getLine()) {
      message += " (" + marked.getContext().strip() + " started on line "
          + (marked.getContextMark().getLine() + 1) + ")";
    }
    return message;
  }

  private static MarkedYAMLException marked(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof MarkedYAMLException m) {
        return m;
      }
    }
    return null;
  }

  /** The state of one pass: the parser, positioned on the token to read next. */
  private record Pass(YAMLParser parser, Problems problems) {

    /**
     * Reads the value whose first token is current; {@code keyLine} is the line of its key, or -1
     * for list items and the root.
     */
    YamlNode value(String path, int keyLine) throws IOException {
      JsonToken token = parser.currentToken();
      int line = line(parser);
      if (token == null) {
        problems.add(line, path, "end of input (expected: a YAML value)");
        return YamlNode.scalar(Kind.INVALID, "", null, line);
      }
      return switch (token) {
        case START_OBJECT -> mapping(path, keyLine > 0 ? keyLine : line);
        case START_ARRAY -> list(path, keyLine > 0 ? keyLine : line);
        case VALUE_STRING -> string(path, line);
        case VALUE_NUMBER_INT -> YamlNode.scalar(
            Kind.INTEGER, parser.getText(), new BigDecimal(parser.getBigIntegerValue()), line);
        case VALUE_NUMBER_FLOAT -> YamlNode.scalar(Kind.DECIMAL, parser.getText(), decimal(), line);
        case VALUE_TRUE -> YamlNode.scalar(Kind.BOOLEAN, parser.getText(), BigDecimal.ONE, line);
        case VALUE_FALSE -> YamlNode.scalar(Kind.BOOLEAN, parser.getText(), BigDecimal.ZERO, line);
        case VALUE_NULL -> YamlNode.scalar(Kind.NULL, parser.getText(), null, line);
        default -> {
          problems.add(line, path, "unexpected " + token + " (expected: a YAML value)");
          yield YamlNode.scalar(Kind.INVALID, parser.getText(), null, line);
        }
      };
    }

    private YamlNode string(String path, int line) throws IOException {
      if (parser.isCurrentAlias()) {
        problems.add(line, path, "*" + parser.getText()
            + " (expected: a plain value; YAML anchors and aliases are not supported)");
        return YamlNode.scalar(Kind.INVALID, "*" + parser.getText(), null, line);
      }
      return YamlNode.scalar(Kind.STRING, parser.getText(), null, line);
    }

    private BigDecimal decimal() throws IOException {
      try {
        return parser.getDecimalValue();
      } catch (NumberFormatException | JsonProcessingException e) {
        return null; // .inf and .nan have no decimal value; readers report them as invalid
      }
    }

    private YamlNode mapping(String path, int line) throws IOException {
      Map<String, YamlNode> fields = new LinkedHashMap<>();
      Map<String, Integer> keyLines = new HashMap<>();
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String key = parser.currentName();
        int keyLine = line(parser);
        String childPath = path.isEmpty() ? key : path + "." + key;
        parser.nextToken();
        YamlNode child = value(childPath, keyLine);
        if (fields.containsKey(key)) {
          problems.add(keyLine, childPath, "duplicate key (expected: each key once, first on line "
              + keyLines.get(key) + ")");
        } else {
          fields.put(key, child);
          keyLines.put(key, keyLine);
        }
      }
      return YamlNode.mapping(fields, keyLines, line);
    }

    private YamlNode list(String path, int line) throws IOException {
      List<YamlNode> items = new ArrayList<>();
      for (JsonToken t = parser.nextToken(); t != null && t != JsonToken.END_ARRAY; t = parser.nextToken()) {
        items.add(value(path + "[" + items.size() + "]", -1));
      }
      return YamlNode.list(items, line);
    }
  }
}
