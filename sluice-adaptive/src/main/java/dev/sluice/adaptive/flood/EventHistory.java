package dev.sluice.adaptive.flood;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The last events of a {@link FloodResponse}, oldest first and at most a fixed number, updated in
 * place as an event's score rises and when it ends; the listener hears each event as it opens and
 * as it ends. Thread-safe (one lock; used once per window, never on the hot path).
 */
final class EventHistory {

  private final int capacity;
  private final Consumer<FloodEvent> listener;
  private final ArrayDeque<FloodEvent> events = new ArrayDeque<>();

  EventHistory(int capacity, Consumer<FloodEvent> listener) {
    this.capacity = capacity;
    this.listener = listener;
  }

  /** Records a new open event and tells the listener; returns it. */
  FloodEvent open(FloodEvent e) {
    synchronized (events) {
      events.addLast(e);
      while (events.size() > capacity) {
        events.removeFirst();
      }
    }
    listener.accept(e);
    return e;
  }

  /** Replaces {@code old} (the same instance) with {@code next}; returns {@code next}. */
  FloodEvent replace(FloodEvent old, FloodEvent next) {
    if (old == next) {
      return next;
    }
    synchronized (events) {
      List<FloodEvent> all = new ArrayList<>(events);
      int i = all.lastIndexOf(old);
      if (i >= 0) {
        all.set(i, next);
        events.clear();
        events.addAll(all);
      }
    }
    return next;
  }

  /** Replaces the open event of the same kind and scope with {@code ended} and tells the listener. */
  void close(FloodEvent ended) {
    synchronized (events) {
      List<FloodEvent> all = new ArrayList<>(events);
      for (int i = all.size() - 1; i >= 0; i--) {
        FloodEvent e = all.get(i);
        if (e.open() && e.kind().equals(ended.kind()) && e.scope().equals(ended.scope())) {
          all.set(i, ended);
          break;
        }
      }
      events.clear();
      events.addAll(all);
    }
    listener.accept(ended);
  }

  /** Returns the events, oldest first. */
  List<FloodEvent> events() {
    synchronized (events) {
      return List.copyOf(events);
    }
  }
}
