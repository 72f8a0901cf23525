package dev.sluice.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The charts for any number of policies: one panel each, in a grid of up to three columns. */
class ChartsTest {

  @ParameterizedTest(name = "{0} policies")
  @ValueSource(ints = {1, 2, 3, 4, 5, 6})
  void drawsOnePanelPerPolicyWhateverTheirNumber(int n, @TempDir Path dir) throws Exception {
    List<String> policies = List.of("static", "aimd", "gradient", "pi", "combined", "oracle")
        .subList(0, n);
    Scenario sc = Scenarios.busy();
    ExperimentResult r = Experiment.run(sc, policies, 1, 1, null);

    Charts.write(r, dir);

    for (String[] file : Charts.FILES) {
      BufferedImage image = ImageIO.read(dir.resolve(file[0]).toFile());
      int cols = Math.min(3, n);
      int rows = (n + cols - 1) / cols;
      assertThat(image.getWidth()).as(file[0]).isEqualTo(cols * 520);
      assertThat(image.getHeight()).as(file[0]).isEqualTo(rows * 340);
    }
  }
}
