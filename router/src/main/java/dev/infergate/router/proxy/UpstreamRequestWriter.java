package dev.infergate.router.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.AsciiString;
import io.netty.util.CharsetUtil;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.net.SocketAddress;
import java.nio.charset.Charset;
import java.util.Iterator;
import java.util.Map;

/**
 * Writes the HTTP/1.1 request a model server gets, straight into one buffer per try: request line,
 * {@code Host}, the client's end-to-end headers, the router's own ({@code x-request-id},
 * {@code traceparent}, {@code X-Forwarded-For}, {@code Forwarded}, and {@code X-Forwarded-Proto} and
 * {@code -Host} when the client sent none), {@code Content-Length} and the buffered body. No header map
 * is built per try and no encoder runs over one (bench/RESULTS.md: that was ~1.2 KB of garbage a
 * request). Header bytes leave as they arrived: the server's decoder read each byte as one ISO-8859-1
 * char, and they are written back the same way.
 *
 * <p>One per request, on its event loop: the forwarding values are worked out on the first try and
 * reused by retries.
 */
final class UpstreamRequestWriter {
  /** Bodies up to this size are copied after the head (one buffer, one write); larger ones are sent as a view. */
  static final int COPIED_BODY_BYTES = 16 * 1024;
  private static final Charset LATIN_1 = CharsetUtil.ISO_8859_1;
  private static final int CRLF = ('\r' << 8) | '\n';
  private static final int COLON_SPACE = (':' << 8) | ' ';
  private static final byte[] HTTP_1_1 = bytes(" HTTP/1.1\r\n");
  private static final byte[] HOST = bytes("Host: ");
  private static final byte[] CONTENT_LENGTH = bytes("Content-Length: ");
  private static final byte[] REQUEST_ID = bytes("x-request-id: ");
  private static final byte[] TRACEPARENT = bytes("traceparent: ");
  private static final byte[] X_FORWARDED_FOR = bytes("x-forwarded-for: ");
  private static final byte[] FORWARDED = bytes("forwarded: ");
  private static final byte[] X_FORWARDED_PROTO = bytes("x-forwarded-proto: ");
  private static final byte[] X_FORWARDED_HOST = bytes("x-forwarded-host: ");

  private final ProxyContext ctx;
  private final boolean dropAuthorization;
  // Worked out on the first try.
  private boolean prepared;
  private String forwardedFor;
  private String forwarded;
  private String forwardedHost;
  private boolean clientSentProto;
  private boolean clientSentHost;

  UpstreamRequestWriter(ProxyContext ctx) {
    this.ctx = ctx;
    // The verified bearer token is a credential for the gateway: it goes no further (as Envoy's
    // jwt_authn does by default), so a model server's logs or a compromised replica cannot replay it.
    this.dropAuthorization = ctx.consumer != null;
  }

  /** The whole request for one try to {@code authority}; the caller owns (and releases) the buffer. */
  ByteBuf write(ByteBufAllocator alloc, String uri, String authority) {
    Buffer body = ctx.body;
    int bodyLength = body == null ? 0 : body.length();
    boolean copyBody = bodyLength <= COPIED_BODY_BYTES;
    ByteBuf out = alloc.directBuffer(512 + uri.length() + (copyBody ? bodyLength : 0));
    out.writeCharSequence(ctx.request.method().name(), LATIN_1);
    out.writeByte(' ');
    out.writeCharSequence(uri, LATIN_1);
    out.writeBytes(HTTP_1_1);
    line(out, HOST, authority);
    clientHeaders(out);
    if (!prepared) {
      prepareForwarding();
    }
    line(out, REQUEST_ID, ctx.requestId);
    line(out, TRACEPARENT, ctx.traceparent);
    line(out, X_FORWARDED_FOR, forwardedFor);
    line(out, FORWARDED, forwarded);
    if (!clientSentProto) {
      line(out, X_FORWARDED_PROTO, ctx.request.isSSL() ? "https" : "http");
    }
    if (!clientSentHost && forwardedHost != null) {
      line(out, X_FORWARDED_HOST, forwardedHost);
    }
    if (body != null) {
      line(out, CONTENT_LENGTH, Integer.toString(bodyLength));
    }
    out.writeShort(CRLF);
    if (body == null) {
      return out;
    }
    ByteBuf bytes = ((BufferInternal) body).getByteBuf();
    if (copyBody) {
      return out.writeBytes(bytes);
    }
    // A view of the buffered body, not a copy: its release is a no-op on a Vert.x heap buffer, and a
    // retry takes a new view of the same bytes.
    return alloc.compositeDirectBuffer(2).addComponents(true, out, bytes);
  }

  /**
   * Copies the client's headers minus hop-by-hop ones, those its {@code Connection} header names, and
   * those the router sets itself; notes the forwarding headers the router extends or keeps.
   */
  private void clientHeaders(ByteBuf out) {
    MultiMap headers = ctx.request.headers();
    String connection = headers.get(Headers.CONNECTION);
    String extra = connection != null && Headers.namesOtherHeaders(connection) ? connection : null;
    if (headers instanceof io.netty.handler.codec.http.HttpHeaders netty) {
      // Vert.x's HTTP/1.x map: entries as they are stored, no wrapper or String per header.
      Iterator<Map.Entry<CharSequence, CharSequence>> it = netty.iteratorCharSequence();
      while (it.hasNext()) {
        Map.Entry<CharSequence, CharSequence> h = it.next();
        clientHeader(out, h.getKey(), h.getValue(), extra);
      }
    } else {
      for (Map.Entry<String, String> h : headers) {
        clientHeader(out, h.getKey(), h.getValue(), extra);
      }
    }
  }

  private void clientHeader(ByteBuf out, CharSequence name, CharSequence value, String extra) {
    if (Headers.isHopByHop(name) || (extra != null && Headers.listedIn(extra, name))) {
      return;
    }
    if (Headers.setByRouter(name)) {
      if (!prepared) {
        noteForwarding(name, value);
      }
      return;
    }
    switch (name.length()) {
      case 13:
        if (dropAuthorization && AsciiString.contentEqualsIgnoreCase(name, "authorization")) {
          return;
        }
        break;
      case 16:
        clientSentHost |= AsciiString.contentEqualsIgnoreCase(name, "x-forwarded-host");
        break;
      case 17:
        clientSentProto |= AsciiString.contentEqualsIgnoreCase(name, "x-forwarded-proto");
        break;
      default:
        break;
    }
    out.writeCharSequence(name, LATIN_1);
    out.writeShort(COLON_SPACE);
    out.writeCharSequence(value, LATIN_1);
    out.writeShort(CRLF);
  }

  /** Earlier hops' {@code X-Forwarded-For} and {@code Forwarded}: every field, in order, as one list. */
  private void noteForwarding(CharSequence name, CharSequence value) {
    if (AsciiString.contentEqualsIgnoreCase(name, "x-forwarded-for")) {
      forwardedFor = forwardedFor == null ? value.toString() : forwardedFor + ", " + value;
    } else if (AsciiString.contentEqualsIgnoreCase(name, "forwarded")) {
      forwarded = forwarded == null ? value.toString() : forwarded + ", " + value;
    }
  }

  /** Appends this hop to the earlier ones noted by the first copy of the client's headers. */
  private void prepareForwarding() {
    prepared = true;
    SocketAddress remote = ctx.request.remoteAddress();
    String ip = remote == null ? "unknown" : remote.hostAddress();
    forwardedFor = forwardedFor == null ? ip : forwardedFor + ", " + ip;
    String node = ip.indexOf(':') >= 0 ? "\"[" + ip + "]\"" : ip;
    forwardedHost = ctx.request.authority() == null ? null : ctx.request.authority().toString();
    String element = "for=" + node + (forwardedHost == null ? "" : ";host=\"" + forwardedHost + "\"")
        + ";proto=" + (ctx.request.isSSL() ? "https" : "http");
    forwarded = forwarded == null ? element : forwarded + ", " + element;
  }

  private static void line(ByteBuf out, byte[] nameColonSpace, CharSequence value) {
    out.writeBytes(nameColonSpace);
    out.writeCharSequence(value, LATIN_1);
    out.writeShort(CRLF);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(LATIN_1);
  }
}
