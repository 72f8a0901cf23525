package dev.sluice.server.live;

import dev.sluice.adaptive.PredictiveSettings;
import dev.sluice.ml.data.Read;
import dev.sluice.ml.data.RequestEvent;
import dev.sluice.ml.data.RequestLogReader;
import dev.sluice.ml.data.Series;
import dev.sluice.ml.data.Windows;
import dev.sluice.ml.live.DemandRetrain;
import dev.sluice.ml.registry.ModelRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One periodic retrain: reads the request log ({@code logs}: a file, or every {@code *.jsonl} /
 * {@code *.jsonl.gz} file of a directory), keeps the last {@code days} days before {@code now},
 * builds the demand series (tokens per second per 1 s window over the decision lines, allowed and
 * denied alike: demand, not what was admitted; feedback lines are outcomes, not demand) and runs {@link DemandRetrain}. Stateless.
 */
final class Retraining {

  private static final Logger log = LoggerFactory.getLogger(Retraining.class);

  private Retraining() {}

  /** Returns what the retrain did, or {@code null} when the log held too little to train on. */
  static DemandRetrain.Result run(ModelRegistry registry, PredictiveSettings.Retrain r, Instant now)
      throws IOException {
    List<RequestEvent> events = new ArrayList<>();
    long since = now.minusSeconds(86_400L * r.days()).toEpochMilli();
    for (Path file : files(Path.of(r.logs()))) {
      Read<List<RequestEvent>> read = RequestLogReader.read(file);
      for (RequestEvent e : read.value()) {
        if (e.decided() && e.epochMillis() >= since) {
          events.add(e);
        }
      }
    }
    if (events.isEmpty()) {
      log.atInfo().addKeyValue("event", "retrain-skipped").log("retrain: no request log lines in the window");
      return null;
    }
    Series s = Windows.tokens(events, 1, "demand");
    if (s.size() < 50) {
      log.atInfo().addKeyValue("event", "retrain-skipped").addKeyValue("windows", s.size())
          .log("retrain: fewer than 50 windows of demand");
      return null;
    }
    DemandRetrain.Result result = DemandRetrain.run(registry, s.values(), 1, s.instant(0));
    log.atInfo().addKeyValue("event", "retrained").addKeyValue("version", result.version())
        .addKeyValue("candidateMae", result.candidateMae()).addKeyValue("activeMae", result.activeMae())
        .addKeyValue("activated", result.activated()).log("model retrained");
    return result;
  }

  private static List<Path> files(Path logs) throws IOException {
    if (!Files.isDirectory(logs)) {
      return List.of(logs);
    }
    try (Stream<Path> s = Files.list(logs)) {
      return s.filter(p -> p.toString().endsWith(".jsonl") || p.toString().endsWith(".jsonl.gz")).sorted().toList();
    }
  }
}
