package dev.sluice.server.edge;

import dev.sluice.server.http.BadRequestException;
import dev.sluice.server.http.Problem;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import java.util.concurrent.CompletionStage;

/** {@code POST /v1/decisions}, {@code /v1/feedback} or {@code /v1/predict}: the whole body, then one reply. */
final class BodyExchange extends Exchange {

  /** Which API the body is for. */
  enum Kind { DECISIONS, FEEDBACK, PREDICT }

  private final Kind kind;
  private final int max;
  private ByteBuf body;

  BodyExchange(EdgeConnection conn, HttpRequest request, Kind kind) {
    super(conn, request);
    this.kind = kind;
    this.max = conn.server().options().maxDecisionBodyBytes();
  }

  @Override
  void start() {
    long declared = declaredLength();
    if (max > 0 && declared > max) {
      tooLarge();
      return;
    }
    body = conn.channel().alloc().heapBuffer(declared > 0 ? (int) declared : 256);
  }

  private void tooLarge() {
    closeAfter = true;
    conn.reply(this, Reply.problem(Problem.tooLarge(max)));
  }

  @Override
  void content(HttpContent c) {
    try {
      if (responseDone) {
        return;
      }
      if (max > 0 && body.readableBytes() + c.content().readableBytes() > max) {
        body.release();
        body = null;
        tooLarge();
        return;
      }
      body.writeBytes(c.content());
    } finally {
      c.release();
    }
    if (requestDone) {
      byte[] bytes = new byte[body.readableBytes()];
      body.readBytes(bytes);
      body.release();
      body = null;
      answer(bytes);
    }
  }

  private void answer(byte[] bytes) {
    EdgeServer s = conn.server();
    try {
      if (kind == Kind.FEEDBACK) {
        conn.reply(this, s.feedback().accept(bytes));
        return;
      }
      if (kind == Kind.PREDICT) {
        conn.reply(this, s.predictions().predict(bytes));
        return;
      }
      CompletionStage<Reply> stage = s.decisions().decide(bytes);
      java.util.concurrent.CompletableFuture<Reply> f = stage.toCompletableFuture();
      if (f.isDone() && !f.isCompletedExceptionally()) {
        conn.reply(this, f.join());
        return;
      }
      stage.whenCompleteAsync((r, err) -> {
        if (err != null) {
          conn.fail(this, false, new IllegalStateException("a decision failed", err));
          return;
        }
        try {
          conn.reply(this, r);
        } catch (RuntimeException e) {
          conn.fail(this, false, e);
        }
      }, conn.channel().eventLoop());
    } catch (BadRequestException e) {
      conn.reply(this, Reply.problem(e.problem()));
    }
  }

  @Override
  void abort() {
    if (body != null) {
      body.release();
      body = null;
    }
  }
}
