package dev.infergate.router.proxy;

import dev.infergate.telemetry.LogContext;
import dev.infergate.telemetry.Tracing;
import io.opentelemetry.api.trace.Span;
import java.nio.charset.StandardCharsets;
import java.util.random.RandomGenerator;

/**
 * Takes the client's {@code x-request-id} (when it is short printable ASCII) or creates one, and
 * takes a valid W3C {@code traceparent} or starts a new trace. Both go upstream and into the log.
 * With tracing on, it also opens the request's server span, a child of that traceparent (or the
 * root of a new trace), and what goes on is that span's traceparent, so each try's client span is
 * its child.
 */
final class RequestIdStep implements RequestStep {
  private static final int MAX_REQUEST_ID = 128;
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.ISO_8859_1);
  private final RandomGenerator random;
  private final Tracing tracing;

  RequestIdStep(RandomGenerator random) {
    this(random, Tracing.OFF);
  }

  RequestIdStep(RandomGenerator random, Tracing tracing) {
    this.random = random;
    this.tracing = tracing;
  }

  @Override
  public void handle(ProxyContext ctx) {
    String id = ctx.request.getHeader(Headers.REQUEST_ID);
    ctx.requestId = validRequestId(id) ? id : hex(random.nextLong(), random.nextLong());
    String tp = ctx.request.getHeader(Headers.TRACEPARENT);
    boolean valid = validTraceparent(tp);
    if (tracing.enabled()) {
      Span span = tracing.startServer("proxy " + ctx.request.method().name(), valid ? tp : null);
      span.setAttribute(SpanNames.METHOD, ctx.request.method().name());
      ctx.span = span;
      String own = Tracing.traceparent(span);
      ctx.traceparent = own != null ? own : valid ? tp : newTraceparent();
    } else {
      ctx.traceparent = valid ? tp : newTraceparent();
    }
    LogContext.bind(ctx.requestId, ctx.traceparent);
    ctx.next();
  }

  static boolean validRequestId(String id) {
    if (id == null || id.isEmpty() || id.length() > MAX_REQUEST_ID) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        return false;
      }
    }
    return true;
  }

  /**
   * W3C Trace Context: {@code version-traceid(32 hex)-parentid(16 hex)-flags}, ids not all zero.
   */
  static boolean validTraceparent(String tp) {
    if (tp == null || tp.length() < 55 || (tp.length() > 55 && tp.charAt(55) != '-')) {
      return false;
    }
    if (tp.charAt(2) != '-' || tp.charAt(35) != '-' || tp.charAt(52) != '-') {
      return false;
    }
    if (tp.startsWith("ff") || (tp.startsWith("00") && tp.length() != 55)) {
      return false;
    }
    return lowerHex(tp, 0, 2)
        && lowerHex(tp, 3, 35)
        && lowerHex(tp, 36, 52)
        && lowerHex(tp, 53, 55)
        && !zeros(tp, 3, 35)
        && !zeros(tp, 36, 52);
  }

  private String newTraceparent() {
    long a = random.nextLong();
    long b = random.nextLong();
    long parent = random.nextLong();
    if ((a | b) == 0) {
      b = 1;
    }
    if (parent == 0) {
      parent = 1;
    }
    // "00-" trace id (32 hex) "-" parent id (16 hex) "-01", written in place as Latin-1 bytes,
    // which
    // a String keeps as they are (a char[] would be compressed into a second array).
    byte[] out = new byte[55];
    out[0] = '0';
    out[1] = '0';
    out[2] = '-';
    hex(a, out, 3);
    hex(b, out, 19);
    out[35] = '-';
    hex(parent, out, 36);
    out[52] = '-';
    out[53] = '0';
    out[54] = '1';
    return new String(out, StandardCharsets.ISO_8859_1);
  }

  private static boolean lowerHex(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  private static boolean zeros(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      if (s.charAt(i) != '0') {
        return false;
      }
    }
    return true;
  }

  private static String hex(long a, long b) {
    byte[] out = new byte[32];
    hex(a, out, 0);
    hex(b, out, 16);
    return new String(out, StandardCharsets.ISO_8859_1);
  }

  private static void hex(long v, byte[] out, int at) {
    for (int shift = 60; shift >= 0; shift -= 4) {
      out[at++] = HEX[(int) (v >>> shift) & 0xf];
    }
  }
}
