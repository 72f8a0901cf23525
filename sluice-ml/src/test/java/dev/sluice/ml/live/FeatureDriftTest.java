package dev.sluice.ml.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** PSI against the first window or a training sample: stable stays low, a shift passes 0.2. */
class FeatureDriftTest {

  @Test
  void theSameDistributionIsStableAndAShiftDrifts() {
    Random r = new Random(3);
    FeatureDrift d = new FeatureDrift("demand", 200);
    for (int i = 0; i < 399; i++) {
      assertThat(d.add(1000 + r.nextGaussian() * 100)).isNaN();
    }
    assertThat(d.add(1000 + r.nextGaussian() * 100)).isLessThan(0.1);
    double psi = Double.NaN;
    for (int i = 0; i < 200; i++) {
      psi = d.add(1300 + r.nextGaussian() * 100);
    }
    assertThat(psi).isGreaterThan(FeatureDrift.THRESHOLD);
  }

  @Test
  void aTrainingSampleIsTheReferenceFromTheStart() {
    double[] training = new double[1000];
    for (int i = 0; i < training.length; i++) {
      training[i] = i % 100;
    }
    FeatureDrift d = FeatureDrift.against("demand", 100, training);
    double psi = Double.NaN;
    for (int i = 0; i < 100; i++) {
      psi = d.add(i);
    }
    assertThat(psi).isLessThan(0.01);
    for (int i = 0; i < 100; i++) {
      psi = d.add(50 + i % 10);
    }
    assertThat(psi).isGreaterThan(1);
  }
}
