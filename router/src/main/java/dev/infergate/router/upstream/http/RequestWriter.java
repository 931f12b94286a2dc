package dev.infergate.router.upstream.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.FastThreadLocal;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Writes the HTTP/1.1 request a model server gets, straight into one buffer per try: request line,
 * {@code Host}, the client's end-to-end headers, the router's own ({@code x-request-id}, {@code
 * traceparent}, {@code X-Forwarded-For}, {@code Forwarded}, and {@code X-Forwarded-Proto} and
 * {@code -Host} when the client sent none), {@code Content-Length} and the buffered body. No header
 * map is built per try and no encoder runs over one (bench/RESULTS.md: that was ~1.2 KB of garbage
 * a request). Header bytes leave as they arrived: the server's decoder read each byte as one
 * ISO-8859-1 char, and they are written back the same way.
 *
 * <p>The head is put together in a per-thread array, where a Latin-1 string is one array copy, and
 * then copied into a pooled buffer of its exact size. One writer per event loop ({@link #get}),
 * reused by every write on it; nothing carries over from one write to the next, so an {@link
 * OutboundRequest} can be written any number of times (retries, a shadow copy). Not thread-safe.
 */
final class RequestWriter {
  /**
   * Bodies up to this size are copied after the head (one buffer, one write); larger ones are sent
   * as a view.
   */
  static final int COPIED_BODY_BYTES = 16 * 1024;

  private static final FastThreadLocal<RequestWriter> WRITERS =
      new FastThreadLocal<>() {
        @Override
        protected RequestWriter initialValue() {
          return new RequestWriter();
        }
      };
  private static final byte[] HTTP_1_1 = bytes(" HTTP/1.1\r\n");
  private static final byte[] HOST = bytes("Host: ");
  private static final byte[] CONTENT_LENGTH = bytes("Content-Length: ");
  private static final byte[] REQUEST_ID = bytes("x-request-id: ");
  private static final byte[] TRACEPARENT = bytes("traceparent: ");
  private static final byte[] X_FORWARDED_FOR = bytes("x-forwarded-for: ");
  private static final byte[] FORWARDED = bytes("forwarded: ");
  private static final byte[] FORWARDED_FOR = bytes("for=");
  private static final byte[] FORWARDED_HOST = bytes(";host=\"");
  private static final byte[] FORWARDED_PROTO = bytes(";proto=");
  private static final byte[] X_FORWARDED_PROTO = bytes("x-forwarded-proto: ");
  private static final byte[] X_FORWARDED_HOST = bytes("x-forwarded-host: ");
  private static final byte[] LIST_SEPARATOR = bytes(", ");
  private static final byte[] COLON_SPACE = bytes(": ");
  private static final String CONNECTION_NAME = "connection";
  private static final byte[] CRLF = bytes("\r\n");

  /** Grows to the largest head written on the thread, bounded by the server's header size limit. */
  private byte[] buf = new byte[4096];

  private int pos;
  // Per write.
  private OutboundRequest request;

  /** Earlier hops' X-Forwarded-For and Forwarded fields, in order (usually none). */
  private List<CharSequence> earlierFor;

  private List<CharSequence> earlierForwarded;
  private boolean clientSentProto;
  private boolean clientSentHost;

  private RequestWriter() {}

  /** This thread's writer. */
  static RequestWriter get() {
    return WRITERS.get();
  }

  /**
   * The whole request for one try to {@code authority}; the caller owns (and releases) the buffer.
   */
  ByteBuf write(ByteBufAllocator alloc, OutboundRequest request, String uri, String authority) {
    this.request = request;
    earlierFor = null;
    earlierForwarded = null;
    clientSentProto = false;
    clientSentHost = false;
    pos = 0;
    put(request.method().name());
    put((byte) ' ');
    put(uri);
    put(HTTP_1_1);
    header(HOST, authority);
    clientHeaders();
    header(REQUEST_ID, request.requestId());
    header(TRACEPARENT, request.traceparent());
    forwardingHeaders();
    Buffer body = request.body();
    int bodyLength = request.bodyLength();
    if (body != null) {
      put(CONTENT_LENGTH);
      put(Integer.toString(bodyLength));
      put(CRLF);
    }
    put(CRLF);
    this.request = null;
    boolean copyBody = bodyLength <= COPIED_BODY_BYTES;
    ByteBuf out = alloc.directBuffer(pos + (copyBody ? bodyLength : 0));
    out.writeBytes(buf, 0, pos);
    if (body == null) {
      return out;
    }
    ByteBuf bytes = ((BufferInternal) body).getByteBuf();
    if (copyBody) {
      return out.writeBytes(bytes);
    }
    // A view of the buffered body, not a copy: its release is a no-op on a Vert.x heap buffer, and
    // a
    // retry takes a new view of the same bytes.
    return alloc.compositeDirectBuffer(2).addComponents(true, out, bytes);
  }

  /**
   * Copies the client's headers minus hop-by-hop ones, those its {@code Connection} header names,
   * and those the router sets itself; notes the forwarding headers it extends or keeps.
   */
  private void clientHeaders() {
    MultiMap headers = request.clientHeaders();
    String options = HeaderRules.connectionOptions(headers.get(CONNECTION_NAME));
    if (headers instanceof io.netty.handler.codec.http.HttpHeaders netty) {
      // Vert.x's HTTP/1.x map: entries as they are stored, no wrapper or String per header.
      Iterator<Map.Entry<CharSequence, CharSequence>> it = netty.iteratorCharSequence();
      while (it.hasNext()) {
        Map.Entry<CharSequence, CharSequence> h = it.next();
        clientHeader(h.getKey(), h.getValue(), options);
      }
    } else {
      for (Map.Entry<String, String> h : headers) {
        clientHeader(h.getKey(), h.getValue(), options);
      }
    }
  }

  private void clientHeader(CharSequence name, CharSequence value, String connectionOptions) {
    if (HeaderRules.isHopByHop(name, connectionOptions)) {
      return;
    }
    if (HeaderRules.setByRouter(name)) {
      noteEarlierHop(name, value);
      return;
    }
    switch (name.length()) {
      case 13:
        if (request.dropAuthorization() && HeaderRules.is(name, "authorization")) {
          return;
        }
        break;
      case 16:
        clientSentHost |= HeaderRules.is(name, "x-forwarded-host");
        break;
      case 17:
        clientSentProto |= HeaderRules.is(name, "x-forwarded-proto");
        break;
      default:
        break;
    }
    put(name);
    put(COLON_SPACE);
    put(value);
    put(CRLF);
  }

  private void noteEarlierHop(CharSequence name, CharSequence value) {
    if (HeaderRules.is(name, "x-forwarded-for")) {
      earlierFor = add(earlierFor, value);
    } else if (HeaderRules.is(name, "forwarded")) {
      earlierForwarded = add(earlierForwarded, value);
    }
  }

  /**
   * This hop appended to the earlier ones (RFC 7239 for {@code Forwarded}; IPv6 nodes quoted in
   * brackets).
   */
  private void forwardingHeaders() {
    String clientAddress = request.clientAddress();
    String clientAuthority = request.clientAuthority();
    String clientProto = request.clientProto();
    put(X_FORWARDED_FOR);
    list(earlierFor);
    put(clientAddress);
    put(CRLF);
    put(FORWARDED);
    list(earlierForwarded);
    put(FORWARDED_FOR);
    boolean ipv6 = clientAddress.indexOf(':') >= 0;
    if (ipv6) {
      put((byte) '"');
      put((byte) '[');
    }
    put(clientAddress);
    if (ipv6) {
      put((byte) ']');
      put((byte) '"');
    }
    if (clientAuthority != null) {
      put(FORWARDED_HOST);
      put(clientAuthority);
      put((byte) '"');
    }
    put(FORWARDED_PROTO);
    put(clientProto);
    put(CRLF);
    if (!clientSentProto) {
      header(X_FORWARDED_PROTO, clientProto);
    }
    if (!clientSentHost && clientAuthority != null) {
      header(X_FORWARDED_HOST, clientAuthority);
    }
  }

  private void list(List<CharSequence> values) {
    if (values != null) {
      for (CharSequence v : values) {
        put(v);
        put(LIST_SEPARATOR);
      }
    }
  }

  private void header(byte[] nameColonSpace, CharSequence value) {
    put(nameColonSpace);
    put(value);
    put(CRLF);
  }

  @SuppressWarnings(
      "deprecation") // String.getBytes(int, int, byte[], int): one array copy for a Latin-1 string
  private void put(CharSequence s) {
    int n = s.length();
    room(n);
    if (s instanceof String str) {
      str.getBytes(
          0, n, buf, pos); // each char's low byte: the decoder made every char from one byte
    } else if (s instanceof AsciiString ascii) {
      ascii.copy(0, buf, pos, n);
    } else {
      for (int i = 0; i < n; i++) {
        buf[pos + i] = (byte) s.charAt(i);
      }
    }
    pos += n;
  }

  private void put(byte[] bytes) {
    room(bytes.length);
    System.arraycopy(bytes, 0, buf, pos, bytes.length);
    pos += bytes.length;
  }

  private void put(byte b) {
    room(1);
    buf[pos++] = b;
  }

  private void room(int n) {
    if (pos + n > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
    }
  }

  private static List<CharSequence> add(List<CharSequence> list, CharSequence value) {
    List<CharSequence> l = list == null ? new ArrayList<>(2) : list;
    l.add(value);
    return l;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }
}
