package dev.sluice.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the anomaly response of one run did: every event it recorded (any kind: {@code flood},
 * {@code heavy-hitter}, {@code flagged}, or a kind a newer detector adds), and for every client an
 * event named, why: its traffic against its tier's. Times are seconds of virtual time; for a replay
 * source also the log's own time. Immutable; empty for a run without the response.
 *
 * @param events the events, oldest first (at most {@link #MAX_EVENTS})
 * @param eventsTotal how many events opened, those left out included
 * @param clients the flagged clients, by the time they were first flagged
 */
public record AnomalyReport(List<Event> events, long eventsTotal, List<Client> clients) {

  /** How many events a report keeps. */
  public static final int MAX_EVENTS = 1000;

  /** A run without the anomaly response. */
  public static final AnomalyReport NONE = new AnomalyReport(List.of(), 0, List.of());

  /** Copies the lists. */
  public AnomalyReport {
    events = List.copyOf(events);
    clients = List.copyOf(clients);
  }

  /**
   * One event.
   *
   * @param kind what it is, e.g. {@code flood} or {@code heavy-hitter}
   * @param scope {@code tier:NAME} or {@code client:KEY}
   * @param score the highest score it reached
   * @param startS when it opened, s of virtual time
   * @param endS when it ended, s of virtual time, or NaN if it lasted to the end of the run
   * @param action what the response did
   * @param startLog the log's time at the start of the window that opened it (replay sources), else
   *     {@code null}
   */
  public record Event(String kind, String scope, double score, double startS, double endS, String action,
      String startLog) {}

  /**
   * A flagged client and why.
   *
   * @param key the client key (an address for a replay)
   * @param tier the tier it was flagged in (where it sent most in the flagged window)
   * @param detectors the kinds of the events that named it, e.g. {@code heavy-hitter}
   * @param score the highest score of those events
   * @param flaggedS when it was first flagged, s of virtual time
   * @param requests its requests over the run (first attempts), every tier
   * @param share its share of its tier's requests over the run
   * @param firstSeenS when it sent its first request, s of virtual time
   * @param peakRps its busiest detector window in one source, requests per second
   * @param windowRequests its requests in the window that got it flagged
   * @param tierWindowRequests its tier's requests in that window
   * @param tierMeanRps its tier's mean rate over the run, requests per second
   * @param firstSeenLog the log's time of its first request (replay sources), else {@code null}
   * @param flaggedLog the log's time at the start of the window that got it flagged (replay
   *     sources), else {@code null}
   */
  public record Client(String key, String tier, List<String> detectors, double score, double flaggedS,
      long requests, double share, double firstSeenS, double peakRps, long windowRequests, long tierWindowRequests,
      double tierMeanRps, String firstSeenLog, String flaggedLog) {

    /** Copies the detectors. */
    public Client {
      detectors = List.copyOf(detectors);
    }

    /** Its share of its tier's requests in the window that got it flagged (0 when the tier sent none). */
    public double windowShare() {
      return tierWindowRequests == 0 ? 0 : (double) windowRequests / tierWindowRequests;
    }
  }

  /** Returns the flagged clients as a fixed-width text table, at most {@code limit} rows. */
  public String table(int limit) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"client", "tier", "detector", "score", "flagged", "requests", "share", "peak/s",
        "tier mean/s", "window", "first seen"});
    for (Client c : clients.subList(0, Math.min(limit, clients.size()))) {
      rows.add(row(c));
    }
    int[] w = new int[rows.getFirst().length];
    for (String[] r : rows) {
      for (int i = 0; i < r.length; i++) {
        w[i] = Math.max(w[i], r[i].length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (String[] r : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < r.length; i++) {
        line.append(i == 0 ? "" : "  ").append(String.format(Locale.ROOT, "%-" + w[i] + "s", r[i]));
      }
      sb.append(line.toString().stripTrailing()).append('\n');
    }
    if (clients.size() > limit) {
      sb.append("... ").append(clients.size() - limit).append(" more\n");
    }
    return sb.toString();
  }

  /** Returns the flagged clients as a Markdown table. */
  public String markdown() {
    StringBuilder sb = new StringBuilder(
        "| client | tier | detector | score | flagged | requests | share | peak/s | tier mean/s | window | first seen |\n"
            + "|---|---|---|---:|---|---:|---:|---:|---:|---:|---|\n");
    for (Client c : clients) {
      sb.append("| ").append(String.join(" | ", row(c))).append(" |\n");
    }
    return sb.toString();
  }

  /**
   * Returns, for each policy of {@code r} that ran the anomaly response, its first seed's events
   * count and flagged clients: a Markdown section ({@code markdown}) or plain text for a console
   * (at most 20 clients a policy); the empty string when the scenario has no anomaly response.
   */
  public static String section(ExperimentResult r, boolean markdown) {
    if (!r.scenario().adaptive().anomaly().enabled()) {
      return "";
    }
    StringBuilder sb = new StringBuilder(markdown ? "\n## Anomalies (seed " + r.seeds().get(0) + ")\n\n" : "");
    java.util.Set<Object> reported = new java.util.HashSet<>();
    for (Scenario.Source src : r.scenario().sources()) {
      if (src.replay() != null && reported.add(src.replay().report())) {
        sb.append(markdown ? "Replayed " : "replayed ")
            .append(src.replay().report().summary()).append(markdown ? "\n\n" : "\n");
      }
    }
    for (String p : r.policies()) {
      AnomalyReport a = r.runs().get(p).get(0).anomalies();
      if (a == NONE) {
        continue;
      }
      long floods = a.events().stream().filter(e -> e.scope().startsWith("tier:")).count();
      String head = String.format(Locale.ROOT, "%s: %d event(s) (%d tier-scoped), %d flagged client(s)", p,
          a.eventsTotal(), floods, a.clients().size());
      if (markdown) {
        sb.append("**").append(head).append(".**\n\n");
        if (!a.clients().isEmpty()) {
          sb.append(a.markdown()).append('\n');
        }
      } else {
        sb.append(head).append(a.clients().isEmpty() ? "\n" : ":\n" + a.table(20).indent(2));
      }
    }
    if (markdown) {
      sb.append("share: of its tier's requests over the run; peak/s: its busiest detector window; window: its "
          + "requests / its tier's in the window that got it flagged. Every event, per seed: `results.json`.\n");
    }
    return sb.toString();
  }

  private static String[] row(Client c) {
    return new String[] {c.key(), c.tier(), String.join("+", c.detectors()),
        String.format(Locale.ROOT, "%.2f", c.score()), when(c.flaggedS(), c.flaggedLog()),
        Long.toString(c.requests()), String.format(Locale.ROOT, "%.1f %%", 100 * c.share()),
        String.format(Locale.ROOT, "%.2f", c.peakRps()), String.format(Locale.ROOT, "%.3f", c.tierMeanRps()),
        c.windowRequests() + "/" + c.tierWindowRequests(), when(c.firstSeenS(), c.firstSeenLog())};
  }

  private static String when(double s, String log) {
    return log != null ? log : String.format(Locale.ROOT, "%.0f s", s);
  }
}
