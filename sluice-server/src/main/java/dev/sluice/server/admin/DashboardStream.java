package dev.sluice.server.admin;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpResponseWriter;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /admin/stream}: the live dashboard's server-sent events. A scheduler thread of its own
 * (never an event loop) takes one {@link DashboardFeed} snapshot per period and writes it to every
 * open stream as {@code event: snapshot}, {@code id: N}, {@code data: JSON}; a new stream first
 * gets the last {@value #BACKLOG} snapshots, so its charts start full (each snapshot once). The
 * top-clients sketch counts only while a stream is open. Thread-safe.
 */
final class DashboardStream implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DashboardStream.class);
  /** Snapshots a new stream starts with. */
  static final int BACKLOG = 120;
  private static final MediaType EVENT_STREAM = MediaType.parse("text/event-stream; charset=utf-8");

  private final DashboardFeed feed;
  private final java.util.function.Consumer<Boolean> watched;
  private final List<HttpResponseWriter> streams = new CopyOnWriteArrayList<>();
  private final ArrayDeque<String> backlog = new ArrayDeque<>();
  private final ScheduledExecutorService scheduler;
  private long sequence;

  /**
   * Starts snapshotting {@code feed} every {@code periodMillis}; {@code watched} is told {@code
   * true} when the first stream opens and {@code false} when the last one closes.
   */
  DashboardStream(DashboardFeed feed, long periodMillis, java.util.function.Consumer<Boolean> watched) {
    this.feed = feed;
    this.watched = watched;
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "sluice-dashboard");
      t.setDaemon(true);
      return t;
    });
    scheduler.scheduleAtFixedRate(this::tick, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
  }

  /** Opens a stream: headers, the backlog, then every snapshot until the client goes away. */
  HttpResponse open() {
    HttpResponseWriter res = HttpResponse.streaming();
    res.write(ResponseHeaders.builder(HttpStatus.OK).contentType(EVENT_STREAM)
        .set(HttpHeaderNames.CACHE_CONTROL, "no-store").build());
    synchronized (this) {
      for (String s : backlog) {
        res.write(HttpData.ofUtf8(s));
      }
      boolean first = streams.isEmpty();
      streams.add(res);
      if (first) {
        watched.accept(true);
      }
    }
    res.whenComplete().handle((ok, err) -> {
      closed(res);
      return null;
    });
    return res;
  }

  private synchronized void closed(HttpResponseWriter res) {
    if (streams.remove(res) && streams.isEmpty()) {
      watched.accept(false);
    }
  }

  private void tick() {
    try {
      String json = feed.next();
      synchronized (this) { // with open(): a new stream gets each snapshot once, from the backlog or here
        String event = "event: snapshot\nid: " + ++sequence + "\ndata: " + json + "\n\n";
        backlog.addLast(event);
        if (backlog.size() > BACKLOG) {
          backlog.removeFirst();
        }
        for (HttpResponseWriter res : streams) {
          if (!res.tryWrite(HttpData.ofUtf8(event))) {
            closed(res);
          }
        }
      }
    } catch (RuntimeException e) {
      log.atWarn().addKeyValue("event", "dashboard-snapshot-failed").setCause(e).log("dashboard snapshot failed");
    }
  }

  /** Stops snapshotting and ends every open stream. */
  @Override
  public void close() {
    scheduler.shutdownNow();
    for (HttpResponseWriter res : streams) {
      res.close();
    }
    streams.clear();
  }
}
