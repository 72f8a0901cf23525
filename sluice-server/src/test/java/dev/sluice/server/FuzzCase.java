package dev.sluice.server;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One case of the edge mutation fuzzer: which side was mutated, what was sent and scripted, what
 * came back, and every invariant it broke (one detail per kind). Not thread-safe: one case runs on
 * the test thread.
 */
final class FuzzCase {

  final long seed;
  final int index;
  /** Whether the upstream's answer was mutated (else the client's request was). */
  final boolean upstreamSide;
  String corpus = "";
  List<String> ops = List.of();
  byte[] sent = new byte[0];
  byte[] script = new byte[0];
  byte[] received = new byte[0];
  /** The final responses in {@link #received}, once it parsed. */
  List<StrictHttp.Response> responses = List.of();
  boolean parsed;
  /** The {@code X-Fuzz-Seq} numbers of the upstream's answers the client got, in order. */
  final List<Long> passedOn = new ArrayList<>();
  final Map<String, String> failures = new LinkedHashMap<>();

  FuzzCase(long seed, int index, boolean upstreamSide) {
    this.seed = seed;
    this.index = index;
    this.upstreamSide = upstreamSide;
  }

  /** Records a broken invariant: {@code kind} groups failures across cases, {@code detail} says what. */
  void fail(String kind, String detail) {
    failures.putIfAbsent(kind, detail);
  }

  /** Returns the case as a recipe: corpus entry, operators, bytes each way, and how to rerun it. */
  String describe() {
    return "case " + index + " (seed " + seed + ", " + (upstreamSide ? "upstream" : "client") + " side, " + corpus
        + ", ops " + ops + ")\n    sent:     " + clip(sent) + (upstreamSide ? "\n    upstream: " + clip(script) : "")
        + "\n    received: " + clip(received)
        + "\n    reproduce: ./mvnw -B -ntp -pl sluice-server -am verify -Dtest=EdgeMutationFuzzTest"
        + " -Dsurefire.failIfNoSpecifiedTests=false -Dsluice.fuzz.seed=" + seed + " -Dsluice.fuzz.case=" + index;
  }

  private static String clip(byte[] b) {
    String s = StrictHttp.escape(b, 0, Math.min(b.length, 700)).replaceAll("(.)\\1{40,}", "$1$1$1...");
    return b.length > 700 ? s + "...(" + b.length + " bytes)" : s;
  }

  /** Failing cases grouped by kind: the first example of each and how often it happened. */
  static final class Failures {
    private final Map<String, String> first = new LinkedHashMap<>();
    private final Map<String, Integer> count = new LinkedHashMap<>();
    private int cases;

    void add(FuzzCase c) {
      if (c.failures.isEmpty()) {
        return;
      }
      cases++;
      for (Map.Entry<String, String> f : c.failures.entrySet()) {
        count.merge(f.getKey(), 1, Integer::sum);
        first.putIfAbsent(f.getKey(), f.getValue() + "\n    " + c.describe());
      }
    }

    int cases() {
      return cases;
    }

    /** Returns one paragraph per kind of failure, or the empty string when every case passed. */
    String report() {
      StringBuilder b = new StringBuilder();
      for (Map.Entry<String, String> e : first.entrySet()) {
        b.append("\n- ").append(e.getKey()).append(" (").append(count.get(e.getKey())).append(" cases)\n    ")
            .append(e.getValue()).append('\n');
      }
      return b.toString();
    }
  }
}
