package dev.infergate.router.testsupport;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 connection on a plain socket, for tests where an HTTP client would hide what happens
 * on the wire: bytes sent exactly as written (bad paths, half-closes, slow writes), and what came
 * back told apart as a response, a clean close or a reset. Reads give up at a deadline. Not
 * thread-safe. {@link #send} is the one-shot form: one request with {@code Connection: close}, read
 * to the close.
 */
public final class RawHttp implements AutoCloseable {
  /** How long one read waits by default before the test fails. */
  public static final int READ_TIMEOUT_MILLIS = 10_000;

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  /** A parsed response; header names lower-cased. */
  public record Response(int status, Map<String, String> headers, String body) {
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    public JsonObject json() {
      return new JsonObject(body);
    }
  }

  /** What a read ended with when no full response came. */
  public enum Ending {
    CLOSED,
    RESET,
    TIMED_OUT
  }

  /** Thrown by {@link #read} when the connection ended before a full response. */
  public static final class NoResponseException extends IOException {
    private final Ending ending;

    NoResponseException(Ending ending, String partial) {
      super("no complete response (" + ending + "); got: " + partial);
      this.ending = ending;
    }

    public Ending ending() {
      return ending;
    }
  }

  public RawHttp(int port) {
    try {
      socket = new Socket("127.0.0.1", port);
      socket.setSoTimeout(READ_TIMEOUT_MILLIS);
      in = socket.getInputStream();
      out = socket.getOutputStream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A request with a Host header and, when {@code body} is not null, a Content-Length. */
  public static String request(String method, String target, String body, String... headers) {
    StringBuilder s =
        new StringBuilder(method)
            .append(' ')
            .append(target)
            .append(" HTTP/1.1\r\nhost: 127.0.0.1\r\n");
    for (int i = 0; i + 1 < headers.length; i += 2) {
      s.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
    }
    if (body != null) {
      s.append("content-type: application/json\r\ncontent-length: ")
          .append(body.getBytes(StandardCharsets.UTF_8).length)
          .append("\r\n\r\n")
          .append(body);
    } else {
      s.append("\r\n");
    }
    return s.toString();
  }

  /** Writes the text as ISO-8859-1 bytes, exactly as given. */
  public RawHttp send(String raw) throws IOException {
    out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    return this;
  }

  /** Sends {@link #request} and reads its response. */
  public Response exchange(String method, String target, String body, String... headers)
      throws IOException {
    send(request(method, target, body, headers));
    return read();
  }

  /** Half-closes: the server sees end of input, and can still answer. */
  public void shutdownOutput() throws IOException {
    socket.shutdownOutput();
  }

  /** Reads one response with a Content-Length (or none: then up to the close). */
  public Response read() throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    try {
      while (!endsWithBlankLine(head)) {
        int b = in.read();
        if (b < 0) {
          throw new NoResponseException(Ending.CLOSED, head.toString(StandardCharsets.ISO_8859_1));
        }
        head.write(b);
      }
      String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
      int status = Integer.parseInt(lines[0].split(" ")[1]);
      Map<String, String> headers = new LinkedHashMap<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        if (colon > 0) {
          headers.put(
              lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
              lines[i].substring(colon + 1).trim());
        }
      }
      String length = headers.get("content-length");
      byte[] body = length != null ? in.readNBytes(Integer.parseInt(length)) : in.readAllBytes();
      return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
    } catch (SocketTimeoutException e) {
      throw new NoResponseException(Ending.TIMED_OUT, head.toString(StandardCharsets.ISO_8859_1));
    } catch (SocketException e) {
      throw new NoResponseException(
          Ending.RESET, head.toString(StandardCharsets.ISO_8859_1) + " / " + e.getMessage());
    }
  }

  /**
   * Everything the server still sends until it closes the connection (fails the test on a timeout).
   */
  public String readToClose() throws IOException {
    return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
  }

  /**
   * How the connection ends when nothing more is expected: CLOSED, RESET or TIMED_OUT (still open).
   */
  public Ending awaitEnd(int timeoutMillis) throws IOException {
    socket.setSoTimeout(timeoutMillis);
    try {
      while (in.read() >= 0) {
        // drop anything left
      }
      return Ending.CLOSED;
    } catch (SocketTimeoutException e) {
      return Ending.TIMED_OUT;
    } catch (SocketException e) {
      return Ending.RESET;
    } finally {
      socket.setSoTimeout(READ_TIMEOUT_MILLIS);
    }
  }

  private static boolean endsWithBlankLine(ByteArrayOutputStream b) {
    byte[] a = b.toByteArray();
    int n = a.length;
    return n >= 4 && a[n - 4] == '\r' && a[n - 3] == '\n' && a[n - 2] == '\r' && a[n - 1] == '\n';
  }

  /**
   * The answer to one request, read until the server closes (the request says Connection: close).
   */
  public record Answer(int status, String head, String body) {
    public JsonObject json() {
      return new JsonObject(body);
    }
  }

  /**
   * Sends {@code method target HTTP/1.1} with the given extra header lines (each without CRLF), a
   * Host header, {@code Connection: close} and {@code body} (Content-Length set when it is not
   * null). The target is written as ISO-8859-1 bytes, so a char up to U+00FF stands for one raw
   * byte.
   */
  public static Answer send(
      int port, String method, String target, String body, String... headerLines) {
    StringBuilder req =
        new StringBuilder(method)
            .append(' ')
            .append(target)
            .append(" HTTP/1.1\r\n")
            .append("Host: 127.0.0.1:")
            .append(port)
            .append("\r\n");
    for (String h : headerLines) {
      req.append(h).append("\r\n");
    }
    if (body != null) {
      req.append("Content-Type: application/json\r\nContent-Length: ")
          .append(body.getBytes(StandardCharsets.UTF_8).length)
          .append("\r\n");
    }
    req.append("Connection: close\r\n\r\n");
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout((int) Http.TIMEOUT.toMillis());
      socket.getOutputStream().write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
      if (body != null) {
        socket.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
      }
      socket.getOutputStream().flush();
      String answer =
          new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      int end = answer.indexOf("\r\n\r\n");
      if (!answer.startsWith("HTTP/1.") || end < 0) {
        throw new AssertionError(
            "not an HTTP answer to " + method + " " + target + ": '" + answer + "'");
      }
      int status = Integer.parseInt(answer.substring(9, 12));
      String head = answer.substring(0, end);
      String rest = answer.substring(end + 4);
      return new Answer(status, head, chunked(head) ? unchunk(rest) : rest);
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + target, e);
    }
  }

  private static boolean chunked(String head) {
    return head.toLowerCase(Locale.ROOT).contains("\r\ntransfer-encoding: chunked");
  }

  private static String unchunk(String s) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < s.length()) {
      int eol = s.indexOf("\r\n", i);
      int size = Integer.parseInt(s.substring(i, eol).trim(), 16);
      if (size == 0) {
        break;
      }
      out.append(s, eol + 2, eol + 2 + size);
      i = eol + 2 + size + 2;
    }
    return out.toString();
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing a test socket
    }
  }
}
