package dev.infergate.modelserver.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * One raw keep-alive HTTP/1.1 connection to 127.0.0.1, for what an HTTP client would hide: a
 * request that is never answered, a reset, a path sent byte for byte. Every read has a deadline, so
 * a hang fails the test instead of stalling it.
 */
public final class RawHttp implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;

  /** What came back: the status and the body (bodies are framed by content-length here). */
  public record Response(int status, String head, String body) {}

  public RawHttp(int port, Duration readDeadline) {
    try {
      socket = new Socket("127.0.0.1", port);
      socket.setSoTimeout((int) readDeadline.toMillis());
      in = socket.getInputStream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Sends {@code method path} (as is, not encoded) with {@code body} (null for none) and reads the
   * answer.
   */
  public Response exchange(String method, String path, String body) throws IOException {
    byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    String head =
        method
            + " "
            + path
            + " HTTP/1.1\r\nhost: 127.0.0.1\r\n"
            + (body == null
                ? ""
                : "content-type: application/json\r\ncontent-length: " + bytes.length + "\r\n")
            + "\r\n";
    socket.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
    socket.getOutputStream().write(bytes);
    socket.getOutputStream().flush();
    return read();
  }

  /**
   * Writes {@code raw} as ISO-8859-1 bytes, exactly as given (a whole request, or a part of one).
   */
  public RawHttp send(String raw) throws IOException {
    socket.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
    socket.getOutputStream().flush();
    return this;
  }

  /** Half-closes: the server sees end of input and can still answer. */
  public void shutdownOutput() throws IOException {
    socket.shutdownOutput();
  }

  /**
   * True when the server closes the connection (end of stream) before the read deadline; throws on
   * a reset.
   */
  public boolean closedByServer() throws IOException {
    try {
      while (in.read() >= 0) {
        // drop what is left
      }
      return true;
    } catch (java.net.SocketTimeoutException e) {
      return false;
    }
  }

  /** A response with its body as bytes (binary tensor data). */
  public record RawResponse(int status, String head, byte[] body) {
    /** A header's value (names compared case-insensitively), or null. */
    public String header(String name) {
      for (String line : head.split("\r\n")) {
        if (line.toLowerCase(Locale.ROOT).startsWith(name.toLowerCase(Locale.ROOT) + ":")) {
          return line.substring(name.length() + 1).trim();
        }
      }
      return null;
    }
  }

  /** Writes {@code request} (head and body, exactly these bytes) and reads the answer. */
  public RawResponse exchangeBytes(byte[] request) throws IOException {
    socket.getOutputStream().write(request);
    socket.getOutputStream().flush();
    return readRaw();
  }

  /** Reads one response; an EOF or a reset before it is complete throws. */
  public Response read() throws IOException {
    RawResponse raw = readRaw();
    return new Response(raw.status(), raw.head(), new String(raw.body(), StandardCharsets.UTF_8));
  }

  private RawResponse readRaw() throws IOException {
    ByteArrayOutputStream headBytes = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed before a complete response head: " + headBytes);
      }
      headBytes.write(b);
      matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    String head = headBytes.toString(StandardCharsets.ISO_8859_1);
    int status = Integer.parseInt(head.substring(9, 12));
    int length = 0;
    for (String line : head.split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring("content-length:".length()).trim());
      }
    }
    byte[] body = in.readNBytes(length);
    if (body.length < length) {
      throw new IOException("connection closed in the body: " + head);
    }
    return new RawResponse(status, head, body);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
