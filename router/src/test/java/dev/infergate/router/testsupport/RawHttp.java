package dev.infergate.router.testsupport;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP/1.1 exchange over a plain socket, bytes exactly as given: for request targets that an HTTP
 * client would normalise or refuse to send ({@code ..}, {@code %2e}, control bytes, absolute-form).
 */
public final class RawHttp {
  private RawHttp() {}

  /** The answer to one request, read until the server closes (the request says Connection: close). */
  public record Answer(int status, String head, String body) {
    public JsonObject json() {
      return new JsonObject(body);
    }
  }

  /**
   * Sends {@code method target HTTP/1.1} with the given extra header lines (each without CRLF), a Host
   * header, {@code Connection: close} and {@code body} (Content-Length set when it is not null).
   * The target is written as ISO-8859-1 bytes, so a char up to U+00FF stands for one raw byte.
   */
  public static Answer send(int port, String method, String target, String body, String... headerLines) {
    StringBuilder req = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n")
        .append("Host: 127.0.0.1:").append(port).append("\r\n");
    for (String h : headerLines) {
      req.append(h).append("\r\n");
    }
    if (body != null) {
      req.append("Content-Type: application/json\r\nContent-Length: ")
          .append(body.getBytes(StandardCharsets.UTF_8).length).append("\r\n");
    }
    req.append("Connection: close\r\n\r\n");
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout((int) Http.TIMEOUT.toMillis());
      socket.getOutputStream().write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
      if (body != null) {
        socket.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
      }
      socket.getOutputStream().flush();
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      int end = answer.indexOf("\r\n\r\n");
      if (!answer.startsWith("HTTP/1.") || end < 0) {
        throw new AssertionError("not an HTTP answer to " + method + " " + target + ": '" + answer + "'");
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
    return head.toLowerCase().contains("\r\ntransfer-encoding: chunked");
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
}
