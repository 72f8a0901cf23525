package dev.sluice.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testkit.SharedData;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The shipped {@code data/nasa-http-1995-07.counts.gz} against the archive it was derived from
 * ({@code nasa/workload.tbz2} in the shared data; see {@code data/README.md}): count for count,
 * the July log's part of it. Runs in the {@code evaluations} profile.
 */
class NasaTraceEvaluation {

  private static final int JULY_SECONDS = 2_381_550;

  @Test
  void theShippedCountsAreTheJulyPartOfTheArchive() throws Exception {
    Path archive = SharedData.file("nasa/workload.tbz2");
    long compared = 0;
    try (InputStream source = TraceFiles.open(archive); InputStream shipped = TraceFiles.open(TraceFilesTest.NASA)) {
      for (List<Double> chunk = TraceFiles.counts(shipped, 0, TraceFilesTest.CHUNK, 1); !chunk.isEmpty();
          chunk = TraceFiles.counts(shipped, 0, TraceFilesTest.CHUNK, 1)) {
        assertThat(chunk).as("seconds %d.. of the archive", compared)
            .isEqualTo(TraceFiles.counts(source, 0, chunk.size(), 1));
        compared += chunk.size();
      }
      assertThat(compared).as("seconds in the July log").isEqualTo(JULY_SECONDS);
      List<Double> rest = TraceFiles.counts(source, 0, Integer.MAX_VALUE, 1);
      assertThat(rest).as("the August log's seconds").hasSize(5_059_950 - JULY_SECONDS);
      assertThat(rest.getFirst()).as("the August log's first second, right after").isPositive();
    }
  }
}
