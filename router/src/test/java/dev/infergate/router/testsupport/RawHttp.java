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
 * on the wire: bytes sent exactly as written (bad paths, half-closes, slow writes), and what came back
 * told apart as a response, a clean close or a reset. Reads give up at a deadline. Not thread-safe.
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
  public enum Ending { CLOSED, RESET, TIMED_OUT }

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
    StringBuilder s = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\nhost: 127.0.0.1\r\n");
    for (int i = 0; i + 1 < headers.length; i += 2) {
      s.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
    }
    if (body != null) {
      s.append("content-type: application/json\r\ncontent-length: ")
          .append(body.getBytes(StandardCharsets.UTF_8).length).append("\r\n\r\n").append(body);
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
  public Response exchange(String method, String target, String body, String... headers) throws IOException {
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
          headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
      }
      String length = headers.get("content-length");
      byte[] body = length != null ? in.readNBytes(Integer.parseInt(length)) : in.readAllBytes();
      return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
    } catch (SocketTimeoutException e) {
      throw new NoResponseException(Ending.TIMED_OUT, head.toString(StandardCharsets.ISO_8859_1));
    } catch (SocketException e) {
      throw new NoResponseException(Ending.RESET, head.toString(StandardCharsets.ISO_8859_1) + " / " + e.getMessage());
    }
  }

  /** How the connection ends when nothing more is expected: CLOSED, RESET or TIMED_OUT (still open). */
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

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing a test socket
    }
  }
}
