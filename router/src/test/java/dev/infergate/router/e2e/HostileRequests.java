package dev.infergate.router.e2e;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Generates hostile HTTP/1.1 requests as raw bytes from a seeded {@link Random}: path tricks aimed
 * at the model servers' control API, malformed escapes and control bytes, odd methods and headers,
 * broken framing, and inference bodies mutated into every shape of wrong. The same seed gives the
 * same requests, so a failure names a case that can be replayed.
 */
final class HostileRequests {
  /** One request: its bytes and a short printable description for failure messages. */
  record Case(int index, byte[] bytes, String description) {}

  private static final String VALID_V2 =
      "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[5.1,3.5,1.4,0.2]}]}";
  private static final String VALID_V1 = "{\"instances\":[[5.1,3.5,1.4,0.2]]}";

  private static final List<String> TARGETS =
      List.of(
          "/v2/models/iris/infer",
          "/v2/models/iris/versions/1/infer",
          "/v2/models/iris/versions/2/infer",
          "/v1/models/iris:predict",
          "/v1/models/iris/versions/1:predict",
          "/v2/models/iris",
          "/v2/models/iris/ready",
          "/v2/models/iris/versions/2/ready",
          "/v2/health/ready",
          "/v2/health/live",
          "/v2",
          "/v2/repository/index",
          "/v2/repository/models/iris/unload",
          "/v2/repository/models/iris/load",
          "/metrics",
          "/admin/services");

  /** What a traversal would like to reach on a model server. */
  private static final List<String> CONTROL =
      List.of(
          "v2/repository/models/iris/unload",
          "v2/repository/models/iris/load",
          "v2/repository/index",
          "metrics");

  private static final List<String> DOT_DOT =
      List.of(
          "../",
          "..%2f",
          "..%2F",
          "%2e%2e/",
          "%2E%2E%2F",
          "%2e%2e%2f",
          ".%2e/",
          "%2e./",
          "%252e%252e/",
          "%252e%252e%252f",
          "..\\",
          "..%5c",
          "..%5C",
          "..;/",
          "%c0%ae%c0%ae/",
          "./",
          ".%2f",
          "//",
          "/./",
          "%2f",
          "%2F",
          "%5c",
          "..%00/",
          "%u002e%u002e/",
          "..%252f");
  private static final List<String> BAD_BYTES =
      List.of(
          "%",
          "%z", "%zz", "%G1", "%0", "%00", "%0a", "%0d%0a", "%1f", "%7f", "%ff", "%c0%af", "\u0001",
          "\u007f", "\u00ff", "\t", "\\", ";", "%20", "+", "%2B", "@", "#frag", "?", "??", "&", "=",
          "~", "*");
  private static final List<String> METHODS =
      List.of(
          "POST",
          "POST",
          "POST",
          "POST",
          "GET",
          "GET",
          "HEAD",
          "PUT",
          "DELETE",
          "OPTIONS",
          "PATCH",
          "TRACE",
          "CONNECT",
          "PROPFIND",
          "post",
          "G%54",
          "X".repeat(40));
  private static final List<String> TRACKS =
      List.of("stable", "canary", "../canary", "", "nope", "CANARY", "stable\u0001");

  private final Random random;
  private final List<String> goodTokens;
  private final String badSignatureToken;
  private int next;

  HostileRequests(long seed, List<String> goodTokens, String badSignatureToken) {
    this.random = new Random(seed);
    this.goodTokens = goodTokens;
    this.badSignatureToken = badSignatureToken;
  }

  Case next() {
    String method = pick(METHODS);
    String target = target();
    StringBuilder head = new StringBuilder();
    head.append(method)
        .append(' ')
        .append(target)
        .append(' ')
        .append(
            random.nextInt(20) == 0
                ? pick(List.of("HTTP/1.0", "HTTP/2.0", "HTTP/1.1x", "http/1.1", "HTTP/9"))
                : "HTTP/1.1")
        .append("\r\n");
    if (random.nextInt(30) != 0) {
      head.append("host: 127.0.0.1\r\n");
    }
    String auth = authorization();
    if (auth != null) {
      head.append("authorization: ").append(auth).append("\r\n");
    }
    if (random.nextInt(8) == 0) {
      head.append("x-infergate-track: ").append(pick(TRACKS)).append("\r\n");
    }
    byte[] body = body(target);
    String framing = framing(head, body);
    extraHeaders(head);
    head.append("connection: close\r\n\r\n");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    if (framing.equals("chunked")) {
      out.writeBytes(chunked(body));
    } else if (!framing.equals("none")) {
      out.writeBytes(body);
    }
    String description =
        "#"
            + next
            + " "
            + printable(method + " " + target)
            + " ["
            + framing
            + ", "
            + body.length
            + " body bytes, auth "
            + (auth == null ? "none" : auth.length() > 40 ? auth.substring(0, 12) + "..." : auth)
            + "]";
    return new Case(next++, out.toByteArray(), description);
  }

  private String target() {
    String base = pick(TARGETS);
    switch (random.nextInt(9)) {
      case 0, 1 -> { // a traversal towards the control API
        String prefix =
            pick(
                List.of(
                    "/v2/models/iris/",
                    "/v2/models/iris/versions/1/",
                    "/v1/models/iris/",
                    "/v2/models/",
                    "/v2/health/",
                    "/"));
        StringBuilder t = new StringBuilder(prefix);
        int ups = 1 + random.nextInt(6);
        for (int i = 0; i < ups; i++) {
          t.append(pick(DOT_DOT));
        }
        t.append(pick(CONTROL));
        return randomCase(t.toString());
      }
      case 2 -> { // a bad byte or escape somewhere
        int at = 1 + random.nextInt(base.length());
        return base.substring(0, at) + pick(BAD_BYTES) + base.substring(at);
      }
      case 3 -> { // a query string, hostile or not
        return base
            + "?"
            + pick(
                List.of(
                    "x=1",
                    "../../v2/repository/index",
                    "%zz",
                    "a=%00",
                    "q=\u0001",
                    "a=" + "b".repeat(3000),
                    "outputs=label",
                    "id=../../etc/passwd"));
      }
      case 4 -> { // odd forms of the target
        return pick(
            List.of(
                "*",
                "http://127.0.0.1:9001/v2/repository/index",
                "//v2/models/iris/infer",
                "/v2/models/iris/infer/",
                "/v2/models//infer",
                "/v2/models/iris/infer/..",
                "/v2//models/iris/infer",
                "/v2/models/iris%2finfer",
                "/v2/models/iris/versions//infer",
                "/v2/models/iris/versions/../infer",
                "/v1/models/iris:predict:predict",
                "/v1/models/:predict",
                "/v2/models/" + "i".repeat(5000) + "/infer",
                "/" + "a/".repeat(2000),
                "v2/models/iris/infer",
                "/v2/models/ir\u00eds/infer",
                "/v2/models/iris/versions/%31/infer"));
      }
      default -> {
        return base;
      }
    }
  }

  private String authorization() {
    int roll = random.nextInt(20);
    if (roll < 14) {
      return "Bearer " + pick(goodTokens);
    }
    return switch (roll) {
      case 14 -> null;
      case 15 -> "Bearer " + badSignatureToken;
      case 16 -> "Bearer " + "A".repeat(random.nextInt(12_000));
      case 17 -> "Basic YWRtaW46YWRtaW4=";
      case 18 -> "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.";
      default -> "Bearer " + pick(goodTokens) + pick(List.of("x", ".", " ", "\t", "%00"));
    };
  }

  private byte[] body(String target) {
    boolean v1 = target.contains(":predict");
    String valid = v1 ? VALID_V1 : VALID_V2;
    String b =
        switch (random.nextInt(16)) {
          case 0 -> "";
          case 1 -> valid.substring(0, random.nextInt(valid.length()));
          case 2 -> flip(valid);
          case 3 ->
              valid.replace(
                  "5.1",
                  pick(
                      List.of(
                          "1e39",
                          "-1e39",
                          "NaN",
                          "Infinity",
                          "\"x\"",
                          "null",
                          "true",
                          "1e400",
                          "9".repeat(400),
                          "[]",
                          "{}")));
          case 4 ->
              valid.replace(
                  "[1,4]",
                  pick(
                      List.of(
                          "[1000000000000,4]",
                          "[-1,4]",
                          "[0,4]",
                          "[1,4,1]",
                          "[4]",
                          "[]",
                          "[2147483648,4]",
                          "\"1,4\"",
                          "[1.5,4]",
                          "[null,4]")));
          case 5 ->
              valid.replace(
                  "FP32",
                  pick(List.of("BYTES", "FP16", "BOOL", "INT8", "fp32", "", "UINT64", "COMPLEX")));
          case 6 -> "[".repeat(2000 + random.nextInt(20_000)) + "]".repeat(random.nextInt(100));
          case 7 ->
              "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":\""
                  + "x".repeat(random.nextInt(100_000))
                  + "\"}]}";
          case 8 ->
              valid.replace(
                  "input", pick(List.of("", "../input", "inp\u0000ut", "x".repeat(3000))));
          case 9 ->
              "{\"instances\": "
                  + "[".repeat(random.nextInt(300))
                  + "1"
                  + "]".repeat(random.nextInt(300))
                  + "}";
          case 10 -> new String(randomBytes(random.nextInt(4096)), StandardCharsets.ISO_8859_1);
          case 11 -> valid + valid;
          default -> valid;
        };
    return b.getBytes(StandardCharsets.ISO_8859_1);
  }

  /** Writes the body framing headers and says which framing it chose. */
  private String framing(StringBuilder head, byte[] body) {
    switch (random.nextInt(12)) {
      case 0 -> {
        head.append("transfer-encoding: chunked\r\n");
        return "chunked";
      }
      case 1 -> { // longer than what follows: the body stalls (the answer must still come, or the
        // request time out)
        head.append("content-length: ").append(body.length + 1 + random.nextInt(10)).append("\r\n");
        return "short";
      }
      case 2 -> {
        head.append("content-length: ")
            .append(pick(List.of("-1", "abc", "1e3", "99999999999999999999", " 4", "0x10")))
            .append("\r\n");
        return "bad-length";
      }
      case 3 -> { // request smuggling shapes
        head.append("content-length: ")
            .append(body.length)
            .append("\r\ntransfer-encoding: ")
            .append(pick(List.of("chunked", "chunked, identity", "xchunked", "identity")))
            .append("\r\n");
        return "cl+te";
      }
      case 4 -> {
        head.append("content-length: ")
            .append(body.length)
            .append("\r\ncontent-length: ")
            .append(body.length + 5)
            .append("\r\n");
        return "two-lengths";
      }
      case 5 -> {
        head.append("content-length: ")
            .append(body.length)
            .append("\r\ncontent-encoding: ")
            .append(pick(List.of("gzip", "deflate", "br", "x-bogus")))
            .append("\r\n");
        return "encoded";
      }
      case 6 -> {
        head.append("content-length: ").append(body.length).append("\r\nexpect: 100-continue\r\n");
        return "expect";
      }
      default -> {
        head.append("content-length: ").append(body.length).append("\r\n");
        return "length";
      }
    }
  }

  private void extraHeaders(StringBuilder head) {
    switch (random.nextInt(14)) {
      case 0 ->
          head.append("content-type: ")
              .append(
                  pick(
                      List.of(
                          "text/plain",
                          "application/octet-stream",
                          "application/json; charset=utf-16",
                          "multipart/form-data; boundary=x",
                          "\u0001")))
              .append("\r\n");
      case 1 -> head.append("x-pad: ").append("p".repeat(random.nextInt(40_000))).append("\r\n");
      case 2 -> {
        for (int i = 0; i < 50 + random.nextInt(300); i++) {
          head.append("x-h").append(i).append(": v\r\n");
        }
      }
      case 3 -> head.append("x-folded: a\r\n  b\r\n");
      case 4 -> head.append("bad header: x\r\n");
      case 5 -> head.append("x-ctl: a\u0000b\r\n");
      case 6 ->
          head.append("x-request-id: ")
              .append(pick(List.of("../../x", "\"}", "a".repeat(5000), "\u00ff")))
              .append("\r\n");
      case 7 ->
          head.append("traceparent: ")
              .append(
                  pick(
                      List.of(
                          "00-zz-zz-01",
                          "ff-" + "0".repeat(32) + "-" + "0".repeat(16) + "-01",
                          "x".repeat(1000))))
              .append("\r\n");
      case 8 ->
          head.append("x-forwarded-for: ")
              .append(pick(List.of("127.0.0.1", "unknown, ::1", "\u00ff")))
              .append("\r\n");
      case 9 ->
          head.append("x-infergate-consumer: ")
              .append("c".repeat(random.nextInt(3000)))
              .append("\r\n");
      default -> {}
    }
  }

  private byte[] chunked(byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int pos = 0;
    while (pos < body.length) {
      int n = Math.min(body.length - pos, 1 + random.nextInt(512));
      String size =
          random.nextInt(40) == 0
              ? pick(List.of("zz", "-1", "ffffffffffffffff", "1;ext=\u0001"))
              : Integer.toHexString(n);
      out.writeBytes((size + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.write(body, pos, n);
      out.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
      pos += n;
    }
    if (random.nextInt(10) != 0) { // sometimes the last chunk never comes
      out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
    }
    return out.toByteArray();
  }

  private String flip(String s) {
    char[] c = s.toCharArray();
    for (int i = 0; i < 1 + random.nextInt(4); i++) {
      c[random.nextInt(c.length)] = (char) random.nextInt(256);
    }
    return new String(c);
  }

  private String randomCase(String s) {
    if (random.nextBoolean()) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length());
    for (char ch : s.toCharArray()) {
      b.append(random.nextBoolean() ? Character.toUpperCase(ch) : ch);
    }
    return b.toString();
  }

  private byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  private <T> T pick(List<T> list) {
    return list.get(random.nextInt(list.size()));
  }

  private static String printable(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : (s.length() > 160 ? s.substring(0, 160) + "..." : s).toCharArray()) {
      b.append(c < 0x20 || c >= 0x7f ? String.format(Locale.ROOT, "\\x%02x", (int) c) : c);
    }
    return b.toString();
  }
}
