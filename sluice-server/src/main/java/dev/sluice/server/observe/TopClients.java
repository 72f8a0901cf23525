package dev.sluice.server.observe;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.datasketches.frequencies.ErrorType;
import org.apache.datasketches.frequencies.ItemsSketch;

/**
 * The heaviest clients of the current interval, for the live dashboard's heatmap: a frequent-items
 * sketch of 64 counters (memory bounded whatever the number of clients) that counts the tokens each
 * client asked for. Thread-safe: {@link #record} holds this object's monitor for one sketch update,
 * and only while someone watches ({@link #watching}); otherwise it is one volatile read.
 */
public final class TopClients {

  private static final int COUNTERS = 64;

  /**
   * One client of an interval.
   *
   * @param key the client key
   * @param tokens tokens it asked for in the interval (an estimate; never below the true count)
   */
  public record Client(String key, long tokens) {}

  private ItemsSketch<String> sketch = new ItemsSketch<>(COUNTERS);
  private volatile boolean watching;

  /** Turns counting on or off (off: {@link #record} does nothing and the next interval is empty). */
  public void watching(boolean on) {
    this.watching = on;
  }

  /** Counts {@code cost} tokens asked for by {@code key}, while watched. */
  public void record(String key, int cost) {
    if (!watching || key == null) {
      return;
    }
    synchronized (this) {
      sketch.update(key, Math.max(1, cost));
    }
  }

  /** Closes the interval: returns its {@code k} heaviest clients, heaviest first, and starts a new one. */
  public List<Client> interval(int k) {
    ItemsSketch<String> closed;
    synchronized (this) {
      closed = sketch;
      sketch = new ItemsSketch<>(COUNTERS);
    }
    ItemsSketch.Row<String>[] rows = closed.getFrequentItems(ErrorType.NO_FALSE_NEGATIVES);
    Arrays.sort(rows, Comparator.comparingLong((ItemsSketch.Row<String> r) -> r.getEstimate()).reversed()
        .thenComparing(ItemsSketch.Row::getItem));
    List<Client> top = new ArrayList<>();
    for (int i = 0; i < rows.length && i < k; i++) {
      top.add(new Client(rows[i].getItem(), rows[i].getEstimate()));
    }
    return top;
  }
}
