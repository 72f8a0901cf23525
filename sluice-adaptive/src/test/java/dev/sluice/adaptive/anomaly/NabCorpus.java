package dev.sluice.adaptive.anomaly;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The NAB series present in a folder ({@code data/CATEGORY/NAME.csv}) with their labelled windows
 * ({@code labels/combined_windows.json}). Each row keeps its own timestamp: NAB scores rows, not
 * regular windows.
 */
record NabCorpus(List<NabFile> files) {

  /** One series: its key ({@code category/name.csv}), times (epoch seconds), values, windows as row ranges. */
  record NabFile(String key, long[] seconds, double[] values, List<int[]> windows) {
    String category() {
      return key.substring(0, key.indexOf('/'));
    }
  }

  private static final Pattern ENTRY = Pattern.compile("\"([^\"]+\\.csv)\"\\s*:\\s*\\[");
  private static final Pattern STRING = Pattern.compile("\"([^\"]+)\"");

  static NabCorpus read(Path nab) throws IOException {
    Map<String, List<String[]>> labels = windows(Files.readString(nab.resolve("labels/combined_windows.json")));
    List<NabFile> files = new ArrayList<>();
    try (Stream<Path> categories = Files.list(nab.resolve("data")).sorted()) {
      for (Path dir : categories.toList()) {
        try (Stream<Path> csvs = Files.list(dir).filter(f -> f.toString().endsWith(".csv")).sorted()) {
          for (Path csv : csvs.toList()) {
            String key = dir.getFileName() + "/" + csv.getFileName();
            List<String[]> w = labels.get(key);
            if (w == null) {
              throw new IllegalStateException(key + ": no entry in combined_windows.json");
            }
            files.add(file(key, csv, w));
          }
        }
      }
    }
    return new NabCorpus(List.copyOf(files));
  }

  private static NabFile file(String key, Path csv, List<String[]> windows) throws IOException {
    List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
    int n = lines.size() - 1;
    long[] t = new long[n];
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      String[] f = lines.get(i + 1).split(",");
      t[i] = seconds(f[0]);
      v[i] = Double.parseDouble(f[1]);
    }
    List<int[]> rows = new ArrayList<>();
    for (String[] w : windows) {
      long a = seconds(w[0]);
      long b = seconds(w[1]);
      int first = 0;
      while (first < n && t[first] < a) {
        first++;
      }
      int last = n - 1;
      while (last >= 0 && t[last] > b) {
        last--;
      }
      rows.add(new int[] {first, last});
    }
    return new NabFile(key, t, v, List.copyOf(rows));
  }

  static long seconds(String timestamp) {
    String s = timestamp.strip().replace(' ', 'T');
    return LocalDateTime.parse(s).toEpochSecond(ZoneOffset.UTC);
  }

  /** Parses {@code {"cat/name.csv": [["t0", "t1"], ...], ...}}. */
  static Map<String, List<String[]>> windows(String json) {
    Map<String, List<String[]>> out = new LinkedHashMap<>();
    Matcher m = ENTRY.matcher(json);
    while (m.find()) {
      int depth = 1;
      int i = m.end();
      while (depth > 0) {
        char c = json.charAt(i++);
        depth += c == '[' ? 1 : c == ']' ? -1 : 0;
      }
      Matcher s = STRING.matcher(json.substring(m.end(), i));
      List<String> stamps = new ArrayList<>();
      while (s.find()) {
        stamps.add(s.group(1));
      }
      List<String[]> pairs = new ArrayList<>();
      for (int k = 0; k + 1 < stamps.size(); k += 2) {
        pairs.add(new String[] {stamps.get(k), stamps.get(k + 1)});
      }
      out.put(m.group(1), pairs);
    }
    return out;
  }
}
