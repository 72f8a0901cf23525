package dev.sluice.server.edge;

import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/**
 * One request on an edge connection and its response; its states and how it ends are in the
 * design note of {@link EdgeConnection}. Event loop only.
 */
abstract class Exchange {
  /** The most body bytes read and dropped after an early answer before the connection is closed instead. */
  static final long MAX_DRAIN_BYTES = 64 * 1024;

  final EdgeConnection conn;
  final HttpRequest request;
  final boolean keepAlive;
  private final HttpVersion version;
  boolean requestDone;
  boolean responseDone;
  /** Ended (see the design note of {@link EdgeConnection}); set by {@link EdgeConnection#end} only. */
  boolean ended;
  boolean closeAfter;
  /** The request asked for 100 (Continue) before sending its body. */
  boolean expectContinue;
  /** A 100 (Continue) was sent for it. */
  boolean continued;
  /** The client connection stopped reading for this exchange (body waiting on something). */
  boolean paused;
  /**
   * The permit of a concurrency level the request holds while it is served (a proxied request
   * admitted under one), or 0; released, exactly once, by {@link EdgeConnection#end}.
   */
  long permit;
  long requestBytes;
  long responseBytes;
  int status;

  Exchange(EdgeConnection conn, HttpRequest request) {
    this.conn = conn;
    this.request = request;
    this.keepAlive = HttpUtil.isKeepAlive(request);
    this.version = request.protocolVersion() == HttpVersion.HTTP_1_0 ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1;
  }

  /** Returns the client's HTTP version, which every response to it uses. */
  HttpVersion version() {
    return version;
  }

  /** Called once the head arrived. */
  abstract void start();

  /** One piece of the body (the exchange owns {@code c}); {@link #requestDone} is set for the last. */
  abstract void content(HttpContent c);

  /** The exchange ended, whichever way (called once, by {@code EdgeConnection.end}); nothing by default. */
  void onEnd() {}

  /**
   * The exchange ends before its request and response both completed (the connection closed or
   * failed): releases what it holds. Idempotent.
   */
  void abort() {}

  /** Returns whether any of the response has been written (its head at least). */
  boolean responseStarted() {
    return responseDone;
  }

  /** The response has been handed to the connection. */
  void onResponseDone() {}

  void clientWritabilityChanged(boolean writable) {}

  /** The client connection's current read batch has been dispatched. */
  void clientReadComplete() {}

  /** Stops or resumes reading the client connection for this exchange. */
  void pause(boolean pause) {
    paused = pause;
    conn.channel().config().setAutoRead(!pause && !conn.closing());
  }

  /**
   * Returns whether the rest of the body, answered before it arrived, is too much to read and drop
   * so the connection can be reused: more than {@value #MAX_DRAIN_BYTES} bytes still declared, or a
   * chunked body (its size is unknown).
   */
  boolean undrainable() {
    return declaredLength() - requestBytes > MAX_DRAIN_BYTES || HttpUtil.isTransferEncodingChunked(request);
  }

  /** Returns the declared body length, or -1 when there is none or it is chunked. */
  long declaredLength() {
    return HttpUtil.getContentLength(request, -1L);
  }
}
