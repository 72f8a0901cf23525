package dev.sluice.server.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link EdgeCodec} on an {@link EmbeddedChannel}: its checks hold however the input is split
 * across reads (it follows Netty's chunk state and scans header lines per read), and the encoder
 * keeps responses to {@code HEAD} bodiless.
 */
class EdgeCodecTest {

  static final HttpDecoderConfig CONFIG = new HttpDecoderConfig().setMaxInitialLineLength(8192)
      .setMaxHeaderSize(16384).setMaxChunkSize(65536);

  /** What one request decoded to. */
  record Decoded(HttpRequest head, String body, Throwable failure) {}

  /** Feeds {@code raw} in pieces ending at {@code cuts} and returns the requests decoded. */
  static List<Decoded> decode(String raw, int[] cuts) {
    EmbeddedChannel ch = new EmbeddedChannel(new EdgeCodec(CONFIG));
    byte[] bytes = raw.getBytes(StandardCharsets.ISO_8859_1);
    int from = 0;
    for (int cut : cuts) {
      ch.writeInbound(Unpooled.wrappedBuffer(bytes, from, cut - from));
      from = cut;
    }
    ch.writeInbound(Unpooled.wrappedBuffer(bytes, from, bytes.length - from));
    List<Decoded> out = new ArrayList<>();
    HttpRequest head = null;
    StringBuilder body = new StringBuilder();
    Object m;
    while ((m = ch.readInbound()) != null) {
      if (m instanceof HttpObject o && o.decoderResult().isFailure()) {
        out.add(new Decoded(head != null ? head : m instanceof HttpRequest r ? r : null, body.toString(),
            o.decoderResult().cause()));
        head = null;
        body.setLength(0);
      } else if (m instanceof HttpRequest r) {
        head = r;
      }
      if (m instanceof HttpContent c) {
        if (!c.decoderResult().isFailure()) {
          body.append(c.content().toString(StandardCharsets.ISO_8859_1));
          if (c instanceof LastHttpContent) {
            out.add(new Decoded(head, body.toString(), null));
            head = null;
            body.setLength(0);
          }
        }
        c.release();
      }
    }
    ch.finishAndReleaseAll();
    return out;
  }

  static int[] everyByte(String raw) {
    int[] cuts = new int[raw.length() - 1];
    for (int i = 0; i < cuts.length; i++) {
      cuts[i] = i + 1;
    }
    return cuts;
  }

  static int[] randomCuts(String raw, Random r) {
    return r.ints(1 + r.nextInt(12), 1, raw.length()).sorted().distinct().toArray();
  }

  static String chunked(String path, String... chunks) {
    StringBuilder sb = new StringBuilder("POST " + path + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (String c : chunks) {
      sb.append(Integer.toHexString(c.length())).append(c.length() % 2 == 0 ? ";ext=1" : "").append("\r\n")
          .append(c).append("\r\n");
    }
    return sb.append("0\r\nX-Trailer: t\r\n\r\n").toString();
  }

  @Test
  void chunkedAndLengthBodiesDecodeTheSameHoweverTheInputIsSplit() {
    String big = "b".repeat(70_000); // more than one 64 KiB piece
    String raw = chunked("/one", "a", "0123456789", "x".repeat(16), big)
        + chunked("/two", "zz")
        + "POST /three HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
        + "GET /four HTTP/1.1\r\nHost: x\r\n\r\n";
    Random r = new Random(11);
    for (int round = 0; round < 300; round++) {
      int[] cuts = round == 0 ? new int[0] : randomCuts(raw, r);
      List<Decoded> d = decode(raw, cuts);

      assertThat(d).as("cuts %s", java.util.Arrays.toString(cuts)).hasSize(4);
      assertThat(d).allMatch(x -> x.failure() == null);
      assertThat(d.get(0).head().uri()).isEqualTo("/one");
      assertThat(d.get(0).body()).isEqualTo("a0123456789" + "x".repeat(16) + big);
      assertThat(d.get(1).body()).isEqualTo("zz");
      assertThat(d.get(2).body()).isEqualTo("hello");
      assertThat(d.get(3).head().uri()).isEqualTo("/four");
    }
    String small = chunked("/one", "a", "0123456789", "xy") + chunked("/two", "zz");
    List<Decoded> d = decode(small, everyByte(small));
    assertThat(d).extracting(Decoded::body).containsExactly("a0123456789xy", "zz");
  }

  @Test
  void aChunkSizeThatWrapsIsRefusedHoweverTheInputIsSplit() {
    String raw = "POST /p HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n100000000\r\n\r\n"
        + "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";
    Random r = new Random(12);
    for (int round = 0; round < 100; round++) {
      int[] cuts = round == 0 ? everyByte(raw) : randomCuts(raw, r);
      List<Decoded> d = decode(raw, cuts);

      assertThat(d).as("cuts %s", java.util.Arrays.toString(cuts)).hasSize(1);
      assertThat(d.get(0).failure()).isInstanceOf(EdgeCodec.Rejected.class);
      assertThat(d.get(0).body()).isEqualTo("ok");
    }
  }

  @Test
  void aFoldedLineIsRefusedHoweverTheInputIsSplit() {
    String raw = "GET /a HTTP/1.1\r\nHost: x\r\nX-A: one\r\n two\r\nX-B: b\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n";
    Random r = new Random(13);
    for (int round = 0; round < 100; round++) {
      int[] cuts = round == 0 ? everyByte(raw) : randomCuts(raw, r);
      List<Decoded> d = decode(raw, cuts);

      assertThat(d).as("cuts %s", java.util.Arrays.toString(cuts)).hasSize(1);
      assertThat(d.get(0).failure()).isInstanceOf(EdgeCodec.Rejected.class).hasMessageContaining("obs-fold");
    }
  }

  @Test
  void aResponseToHeadHasNoBodyAndAnInterimResponseTakesNoRequest() {
    EmbeddedChannel ch = new EmbeddedChannel(new EdgeCodec(CONFIG));
    ch.writeInbound(Unpooled.copiedBuffer("HEAD /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n",
        StandardCharsets.ISO_8859_1));
    ch.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
    for (String body : List.of("head", "get!")) {
      DefaultFullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
          Unpooled.copiedBuffer(body, StandardCharsets.ISO_8859_1));
      res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 4);
      ch.writeOutbound(res);
    }
    StringBuilder wire = new StringBuilder();
    ByteBuf b;
    while ((b = ch.readOutbound()) != null) {
      wire.append(b.toString(StandardCharsets.ISO_8859_1));
      b.release();
    }

    assertThat(wire.toString()).doesNotContain("head").endsWith("\r\n\r\nget!");
    assertThat(wire.toString().split("HTTP/1.1 200", -1)).hasSize(3);
    ch.finishAndReleaseAll();
  }
}
