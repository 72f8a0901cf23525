package dev.sluice.ml.deep;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

class NativeLoadTest {
  @Test
  void pytorchLoadsOffline() {
    Engine e = Engine.getEngine("PyTorch");
    System.out.println("engine " + e.getEngineName() + " " + e.getVersion());
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray a = m.create(new float[] {1, 2, 3});
      assertThat(a.mul(2).sum().getFloat()).isEqualTo(12f);
    }
  }
}
