package dev.sluice.server.edge;

import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;

/** An exchange answered at once (404, 405, 413, 429, 400...); the body is read and dropped. */
final class ReplyExchange extends Exchange {
  private final Reply reply;

  ReplyExchange(EdgeConnection conn, HttpRequest request, Reply reply) {
    super(conn, request);
    this.reply = reply;
  }

  @Override
  void start() {
    conn.reply(this, reply);
  }

  @Override
  void content(HttpContent c) {
    requestBytes += c.content().readableBytes();
    c.release();
  }
}
