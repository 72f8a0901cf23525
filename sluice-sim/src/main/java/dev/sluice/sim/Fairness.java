package dev.sluice.sim;

import java.util.Arrays;

/**
 * Jain's fairness index over every client's satisfied share of its max-min fair allocation. Each
 * second, the tokens that second's new requests asked for (first attempts only; retries are not
 * new demand) are shared out max-min fairly (water-filling) among the clients that asked, up to
 * the ideal admitted tokens {@code min(total demand, true capacity)}; each client's fair tokens are
 * summed over the run. A client's satisfied share is then {@code x = served tokens (2xx) ÷ fair
 * tokens}, and the index is {@code (Σx)² ÷ (n Σx²)} over the n clients with a fair allocation: 1
 * when every client got the same share of its fair allocation, lower when some got more than
 * others — including a noisy client that took more than its share ({@code x > 1}). Not
 * thread-safe; one per run.
 */
final class Fairness {

  private final double[] secondDemand;
  private final double[] fair;
  private final double[] served;
  private int[] touched = new int[64];
  private int touchedCount;
  private long[] order = new long[64];

  /** Tracks {@code clients} clients, numbered from 0. */
  Fairness(int clients) {
    secondDemand = new double[clients];
    fair = new double[clients];
    served = new double[clients];
  }

  /** Client {@code c} asked for {@code tokens} in the current second. */
  void demand(int c, double tokens) {
    if (secondDemand[c] == 0) {
      if (touchedCount == touched.length) {
        touched = Arrays.copyOf(touched, touchedCount * 2);
      }
      touched[touchedCount++] = c;
    }
    secondDemand[c] += tokens;
  }

  /** Client {@code c} was served {@code tokens} (a 2xx). */
  void served(int c, double tokens) {
    served[c] += tokens;
  }

  /** Ends a second in which {@code capacity} tokens could be served: shares it out max-min fairly. */
  void endSecond(double capacity) {
    int n = touchedCount;
    if (order.length < n) {
      order = new long[Math.max(n, order.length * 2)];
    }
    double total = 0;
    for (int i = 0; i < n; i++) {
      int c = touched[i];
      total += secondDemand[c];
      // Sort by demand (whole tokens, so the key is exact), ties by client.
      order[i] = (long) Math.min(Integer.MAX_VALUE, secondDemand[c]) << 32 | c;
    }
    Arrays.sort(order, 0, n);
    double left = Math.min(total, Math.max(0, capacity));
    for (int i = 0; i < n; i++) {
      int c = (int) order[i];
      double share = Math.min(secondDemand[c], left / (n - i));
      fair[c] += share;
      left -= share;
      secondDemand[c] = 0;
    }
    touchedCount = 0;
  }

  /**
   * Returns Jain's index of served ÷ fair over the clients with a fair allocation (1 if there are
   * none, or none was served: all were treated alike).
   */
  double jain() {
    double sum = 0;
    double sumSq = 0;
    int n = 0;
    for (int c = 0; c < fair.length; c++) {
      if (fair[c] > 0) {
        double x = served[c] / fair[c];
        sum += x;
        sumSq += x * x;
        n++;
      }
    }
    return n == 0 || sumSq == 0 ? 1 : sum * sum / (n * sumSq);
  }
}
