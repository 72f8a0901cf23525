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

  @Test
  void countsAreSeparatedByAnyWhiteSpaceAndScaled() throws Exception {
    InputStream in = new ByteArrayInputStream("1 2\n3\t4\n\n5 ".getBytes(StandardCharsets.UTF_8));
    assertThat(TraceFiles.counts(in, 1, 3, 10)).containsExactly(20.0, 30.0, 40.0);
  }

  @Test
  void readsTheNasaTraceInPlaceFromItsBzip2Tar() throws Exception {
    // ../shared/data is beside every clone in CI; a missing file fails here rather than skipping.
    Path nasa = Path.of("../../shared/data/nasa/workload.tbz2");
    assertThat(nasa).as("the NASA trace under ../shared/data").exists();
    try (InputStream in = TraceFiles.open(nasa)) {
      List<Double> first = TraceFiles.counts(in, 0, 12, 1);
      assertThat(first).containsExactly(1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 2.0, 3.0);
    }
    assertThat(Files.size(nasa)).isGreaterThan(1_000_000);
  }
}
