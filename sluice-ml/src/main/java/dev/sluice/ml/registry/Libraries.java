package dev.sluice.ml.registry;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/** The versions of the libraries a model depends on, as {@code metadata.json} records them. Stateless. */
public final class Libraries {

  private Libraries() {}

  /**
   * {@code tribuo}, {@code xgboost4j} (from its jar's Maven properties; {@code unknown} when absent)
   * and {@code java} (the running runtime's version) in that order.
   */
  public static Map<String, String> current() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("tribuo", org.tribuo.Tribuo.VERSION);
    m.put("xgboost4j", mavenVersion("META-INF/maven/ml.dmlc/xgboost4j_2.12/pom.properties"));
    m.put("java", Runtime.version().toString());
    return m;
  }

  private static String mavenVersion(String resource) {
    try (InputStream in = Libraries.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
