package dev.sluice.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class TraceFilesTest {

  /** The NASA July 1995 per-second counts that ship in the repository (see data/README.md). */
  static final Path NASA = Path.of("../data/nasa-http-1995-07.counts.gz");

  /** Counts read at a time from one stream: reading on continues where the last chunk ended. */
  static final int CHUNK = 100_000;

  @Test
  void countsAreSeparatedByAnyWhiteSpaceAndScaled() throws Exception {
    InputStream in = new ByteArrayInputStream("1 2\n3\t4\n\n5 ".getBytes(StandardCharsets.UTF_8));
    assertThat(TraceFiles.counts(in, 1, 3, 10)).containsExactly(20.0, 30.0, 40.0);
  }

  @Test
  void readsTheShippedNasaTrace() throws Exception {
    assertThat(Files.size(NASA)).as("data/ holds a compact file").isBetween(500_000L, 2_000_000L);
    try (InputStream in = TraceFiles.open(NASA)) {
      List<Double> first = TraceFiles.counts(in, 0, 12, 1);
      assertThat(first).containsExactly(1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 2.0, 3.0);
    }
    long seconds = 0;
    double requests = 0;
    try (InputStream in = TraceFiles.open(NASA)) {
      for (List<Double> chunk = TraceFiles.counts(in, 0, CHUNK, 1); !chunk.isEmpty();
          chunk = TraceFiles.counts(in, 0, CHUNK, 1)) {
        seconds += chunk.size();
        requests += chunk.stream().mapToDouble(Double::doubleValue).sum();
      }
    }
    assertThat(seconds).as("seconds in the July log").isEqualTo(2_381_550);
    assertThat(requests).as("its requests").isEqualTo(1_891_714);
  }
}
