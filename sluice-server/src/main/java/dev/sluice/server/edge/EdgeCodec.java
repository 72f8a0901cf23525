package dev.sluice.server.edge;

import dev.sluice.server.http.Problem;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The edge port's HTTP/1.1 codec: Netty's request decoder made strict about message framing, and
 * the response encoder with the bookkeeping that keeps a response to {@code HEAD} bodiless. It
 * replaces {@code HttpServerCodec}, which accepts what RFC 9112 lets a server accept but a proxy
 * should not. One per connection; event loop only.
 *
 * <p>A request is rejected as it is decoded, before anything routes it, and the decoder then
 * discards the rest of the connection's input (the connection is answered once and closed):
 *
 * <ol>
 *   <li>a version other than HTTP/1.x: 505 (HTTP/1.x with x above 1 is decoded as HTTP/1.1);
 *   <li>a request line over the limit: 414; a header block over the limit: 431 (Netty's {@code
 *       TooLongHttpLineException} and {@code TooLongHttpHeaderException}, mapped by {@link
 *       Refusals#unreadable});
 *   <li>a header line folded onto the previous one (obs-fold, RFC 9112 section 5.2): 400;
 *   <li>no {@code Host} on HTTP/1.1, or more than one {@code Host}: 400 (RFC 9112 section 3.2);
 *   <li>{@code Transfer-Encoding} with {@code Content-Length}, or on HTTP/1.0: 400 (RFC 9112
 *       section 6.3 and 6.1); {@code Transfer-Encoding} other than exactly one {@code chunked}
 *       (any case): 400, whether {@code chunked} is missing, not last, repeated or follows codings
 *       Sluice does not decode ({@code gzip, chunked}, for which section 6.1 suggests 501: a 5xx
 *       would count the client's request as Sluice's failure);
 *   <li>a chunk size that is not 1 to 8 hex digits (after leading zeros) up to {@code 7fffffff},
 *       followed by the end of the line or by extensions after {@code ;}, or a chunk line holding
 *       a control character: 400. Netty alone accepts leading whitespace and trailing text, and
 *       wraps sizes of 9 or more digits around 32 bits ({@code 100000000} reads as 0).
 * </ol>
 *
 * <p>Multiple {@code Content-Length} fields, even equal ones, are rejected here on HTTP/1.0 (400;
 * Netty rejects them on HTTP/1.1 only, and reads an HTTP/1.0 body by the first), and bare LF line
 * ends by Netty itself (400).
 */
final class EdgeCodec extends CombinedChannelDuplexHandler<EdgeCodec.Decoder, EdgeCodec.Encoder> {

  /**
   * A request the decoder refuses, with the status and problem it is answered with.
   *
   * @see Refusals#unreadable
   */
  static final class Rejected extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The status to answer with. */
    final transient HttpResponseStatus status;
    /** The problem's slug ({@code urn:sluice:problem:<slug>}). */
    final String slug;

    Rejected(HttpResponseStatus status, String slug, String detail) {
      super(detail, null, false, false);
      this.status = status;
      this.slug = slug;
    }

    /** Returns the problem the client gets. */
    Problem problem() {
      return Problem.of(status, slug, getMessage());
    }
  }

  private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>();

  EdgeCodec(HttpDecoderConfig config) {
    init(new Decoder(config), new Encoder());
  }

  /*
   * Design note: where the checks hook into Netty's decoder.
   *
   * HttpObjectDecoder parses a head in readHeaders(), which is private; two protected hooks run
   * inside it, within the try block that turns any exception into a failed message (decoder result
   * set, state BAD_MESSAGE, the rest of the input discarded):
   *   - createMessage(), once the request line is read: the version check, and where the header
   *     lines begin in the input (for the obs-fold scan);
   *   - isContentAlwaysEmpty(), once every header line is read and Content-Length parsed, before
   *     the body's framing is chosen: the Host, Transfer-Encoding and obs-fold checks. Throwing
   *     here fails the message as Netty's own checks do.
   * Netty unfolds obs-fold silently, so folds are found in the input: the header lines consumed in
   * each decode() call are scanned for a line starting with SP or HTAB. Netty consumes whole lines
   * only, so every scanned range starts at a line start.
   *
   * Chunk-size lines are parsed by a private method with no hook. The decoder shadows Netty's
   * chunk state: it knows when a size line is next (after a chunked head, and after each chunk's
   * data and CRLF, from the bytes Netty consumed and the content it emitted), validates that line
   * before Netty reads it, and on a bad one emits a failed last content itself and discards the
   * rest of the input from then on.
   */

  /** The request decoder with the framing checks above. */
  final class Decoder extends HttpRequestDecoder {

    private static final int NONE = 0;
    private static final int SIZE = 1;
    private static final int DATA = 2;
    private static final int DELIMITER = 3;
    private static final int TRAILER = 4;
    private static final long MAX_CHUNK = Integer.MAX_VALUE;

    /** The input of the decode() call running, for the hooks. */
    private ByteBuf in;
    /** Whether a head is being read: from its request line to its empty line. */
    private boolean inHead;
    /** Where this call's unscanned header lines begin in {@link #in}. */
    private int headFrom;
    private boolean folded;
    private int hosts;
    private int lengths;
    /** Whether the head just read announced a chunked body. */
    private boolean chunkedHead;
    private int chunk = NONE;
    /** Bytes of the current chunk's data not yet emitted. */
    private long remaining;
    /** A chunk line was refused: everything from now on is discarded. */
    private boolean refused;

    Decoder(HttpDecoderConfig config) {
      super(config);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
      if (refused) {
        buffer.skipBytes(buffer.readableBytes());
        return;
      }
      int from = buffer.readerIndex();
      int line = 0;
      if (chunk == SIZE) {
        line = chunkLine(buffer, out);
        if (line < 0) {
          return;
        }
      }
      this.in = buffer;
      this.headFrom = from;
      int emitted = out.size();
      try {
        super.decode(ctx, buffer, out);
      } finally {
        this.in = null;
      }
      for (int k = emitted; k < out.size(); k++) {
        if (out.get(k) instanceof HttpRequest r) {
          methods.add(r.method());
          inHead = false; // read (the hook ran) or failed
        }
      }
      if (inHead) {
        folded |= foldIn(buffer, headFrom, buffer.readerIndex());
      }
      track(out, emitted, buffer.readerIndex() - from - line);
    }

    /**
     * Validates the chunk-size line at the reader index, if it is all there: returns its length,
     * 0 when incomplete, or -1 after refusing it.
     */
    private int chunkLine(ByteBuf buffer, List<Object> out) {
      int start = buffer.readerIndex();
      int lf = buffer.indexOf(start, buffer.writerIndex(), (byte) '\n');
      if (lf < 0) {
        return 0; // Netty waits for the rest, or fails a line over the limit
      }
      long size = 0;
      int digits = 0;
      int i = start;
      for (; i < lf; i++) {
        int d = Character.digit(buffer.getByte(i), 16);
        if (d < 0) {
          break;
        }
        if (size > 0 || d > 0) {
          digits++;
        }
        size = digits > 8 ? MAX_CHUNK + 1 : size * 16 + d;
      }
      boolean ok = i > start && size <= MAX_CHUNK;
      int end = lf > start && buffer.getByte(lf - 1) == '\r' ? lf - 1 : lf;
      int j = i;
      while (ok && j < end && (buffer.getByte(j) == ' ' || buffer.getByte(j) == '\t')) {
        j++;
      }
      ok &= j == end && j == i || j < end && buffer.getByte(j) == ';';
      for (int k = j; ok && k < end; k++) {
        byte b = buffer.getByte(k);
        ok = b >= 0x20 && b != 0x7f || b == '\t' || b < 0;
      }
      if (!ok) {
        refused = true;
        chunk = NONE;
        buffer.skipBytes(buffer.readableBytes());
        HttpContent failed = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
        failed.setDecoderResult(DecoderResult.failure(new Rejected(HttpResponseStatus.BAD_REQUEST, "bad-chunk",
            "a chunk size must be 1 to 8 hex digits up to 7fffffff, then the end of the line or ;extensions")));
        out.add(failed);
        return -1;
      }
      remaining = size;
      chunk = size == 0 ? TRAILER : DATA;
      return lf + 1 - start;
    }

    /**
     * Follows Netty's chunk state after a decode() call that emitted {@code out} from index {@code
     * emitted} and consumed {@code consumed} bytes besides a chunk-size line.
     */
    private void track(List<Object> out, int emitted, int consumed) {
      if (chunkedHead) {
        chunkedHead = false;
        chunk = SIZE;
        return;
      }
      if (chunk == NONE) {
        return;
      }
      int data = 0;
      for (int k = emitted; k < out.size(); k++) {
        if (out.get(k) instanceof LastHttpContent) {
          chunk = NONE;
          return;
        }
        if (out.get(k) instanceof HttpContent c) {
          data += c.content().readableBytes();
        }
      }
      if (chunk == DATA) {
        remaining -= data;
      }
      if ((chunk == DATA || chunk == DELIMITER) && remaining == 0) {
        chunk = consumed - data == 2 ? SIZE : DELIMITER;
      }
    }

    @Override
    protected HttpMessage createMessage(String[] initialLine) throws Exception {
      HttpMessage m = super.createMessage(initialLine);
      HttpVersion v = m.protocolVersion();
      if (v.majorVersion() != 1) {
        throw new Rejected(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, "http-version",
            "HTTP/" + v.majorVersion() + " is not supported here (expected: HTTP/1.1 or HTTP/1.0)");
      }
      if (v.minorVersion() > 1) {
        m.setProtocolVersion(HttpVersion.HTTP_1_1);
      }
      inHead = true;
      headFrom = in.readerIndex();
      folded = false;
      hosts = 0;
      lengths = 0;
      return m;
    }

    @Override
    protected AsciiString splitHeaderName(byte[] sb, int start, int length) {
      AsciiString name = super.splitHeaderName(sb, start, length);
      if (length == 4 && HttpHeaderNames.HOST.contentEqualsIgnoreCase(name)) {
        hosts++;
      } else if (length == 14 && HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name)) {
        lengths++;
      }
      return name;
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpMessage msg) {
      if (!inHead) {
        return super.isContentAlwaysEmpty(msg);
      }
      inHead = false;
      if (folded || foldIn(in, headFrom, in.readerIndex())) {
        throw new Rejected(HttpResponseStatus.BAD_REQUEST, "obs-fold",
            "a header line starts with whitespace (obs-fold is not accepted)");
      }
      HttpHeaders h = msg.headers();
      boolean http10 = msg.protocolVersion().minorVersion() == 0;
      if (hosts > 1 || hosts == 0 && !http10) {
        throw new Rejected(HttpResponseStatus.BAD_REQUEST, "missing-host", hosts == 0
            ? "an HTTP/1.1 request needs a Host header field" : "more than one Host header field");
      }
      if (lengths > 1) { // Netty refuses these on HTTP/1.1 only, and reads HTTP/1.0 by the first
        throw new Rejected(HttpResponseStatus.BAD_REQUEST, "http-400", "more than one Content-Length header field");
      }
      String te = h.get(HttpHeaderNames.TRANSFER_ENCODING);
      if (te != null) {
        checkTransferEncoding(h, te, http10);
        chunkedHead = true;
      }
      return super.isContentAlwaysEmpty(msg);
    }

    private static void checkTransferEncoding(HttpHeaders h, String te, boolean http10) {
      if (http10) {
        throw new Rejected(HttpResponseStatus.BAD_REQUEST, "bad-transfer-encoding",
            "Transfer-Encoding is not allowed in an HTTP/1.0 request");
      }
      if (h.contains(HttpHeaderNames.CONTENT_LENGTH)) {
        throw new Rejected(HttpResponseStatus.BAD_REQUEST, "conflicting-framing",
            "a request may not carry both Content-Length and Transfer-Encoding");
      }
      List<String> fields = h.getAll(HttpHeaderNames.TRANSFER_ENCODING);
      if (fields.size() == 1 && HttpHeaderValues.CHUNKED.contentEqualsIgnoreCase(te)) {
        return;
      }
      String[] codings = String.join(",", fields).split(",", -1);
      boolean chunkedLastOnly = codings.length > 1
          && codings[codings.length - 1].strip().equalsIgnoreCase("chunked");
      for (int i = 0; chunkedLastOnly && i < codings.length - 1; i++) {
        String c = codings[i].strip();
        chunkedLastOnly = !c.isEmpty() && !c.equalsIgnoreCase("chunked");
      }
      if (chunkedLastOnly) { // well framed, but Sluice does not decode the codings before chunked
        throw new Rejected(HttpResponseStatus.BAD_REQUEST, "bad-transfer-encoding",
            "transfer codings other than chunked are not supported (expected: Transfer-Encoding: chunked)");
      }
      throw new Rejected(HttpResponseStatus.BAD_REQUEST, "bad-transfer-encoding",
          "Transfer-Encoding must be chunked, once and last (the body length cannot be determined)");
    }

    /** Returns whether a header line in {@code [from, to)} of {@code b} starts with SP or HTAB. */
    private static boolean foldIn(ByteBuf b, int from, int to) {
      int i = from;
      while (i < to) {
        byte first = b.getByte(i);
        if (first == ' ' || first == '\t') {
          return true;
        }
        int lf = b.indexOf(i, to, (byte) '\n');
        if (lf < 0) {
          return false;
        }
        i = lf + 1;
      }
      return false;
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
      if (refused) {
        buffer.skipBytes(buffer.readableBytes());
        return;
      }
      super.decodeLast(ctx, buffer, out);
    }

  }

  /**
   * The response encoder: no body for a response to {@code HEAD}. The decoder queues every
   * request's method; each final response takes the oldest, interim (1xx) ones take none.
   */
  final class Encoder extends HttpResponseEncoder {

    @Override
    protected boolean isContentAlwaysEmpty(HttpResponse msg) {
      int code = msg.status().code();
      if (code >= 100 && code < 200 && code != 101) {
        return true; // an interim response answers no request by itself
      }
      HttpMethod method = methods.poll();
      return HttpMethod.HEAD.equals(method) || super.isContentAlwaysEmpty(msg);
    }
  }
}
