package dev.infergate.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Raw-socket HTTP for tests where a real client would hide the behaviour (slow clients, half-open
 * connections).
 */
public final class RawSockets {
  private RawSockets() {}

  /** A connection to 127.0.0.1:{@code port} whose reads give up after {@code readTimeoutMillis}. */
  public static Socket connect(int port, int readTimeoutMillis) throws IOException {
    Socket socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(readTimeoutMillis);
    return socket;
  }

  public static void send(Socket socket, String text) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  /**
   * Everything the server sends until it closes; fails with SocketTimeoutException if it does not.
   */
  public static String readToEnd(Socket socket) throws IOException {
    return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
  }

  /** True when nothing arrives and the connection stays open for the socket's read timeout. */
  public static boolean staysQuiet(Socket socket) throws IOException {
    try {
      int b = socket.getInputStream().read();
      throw new AssertionError(
          b < 0 ? "the server closed the connection" : "the server sent data: " + (char) b);
    } catch (SocketTimeoutException expected) {
      return true;
    }
  }

  /** Reads one response with a Content-Length body (head and body, as text). */
  public static String readResponse(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed after " + head);
      }
      head.append((char) b);
    }
    int length = 0;
    for (String line : head.toString().split("\r\n")) {
      if (line.toLowerCase().startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    return head + new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
  }

  /**
   * Sends {@code text} one byte every {@code periodMillis} (a slowloris) and returns what the
   * server sends until it closes; the bytes stop as soon as the server's answer starts.
   */
  public static String trickleAndRead(Socket socket, String text, long periodMillis)
      throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
    AtomicInteger next = new AtomicInteger();
    ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor();
    try {
      OutputStream out = socket.getOutputStream();
      sender.scheduleAtFixedRate(
          () -> {
            int i = next.getAndIncrement();
            if (i < bytes.length) {
              try {
                out.write(bytes[i]);
                out.flush();
              } catch (IOException closed) {
                throw new IllegalStateException(closed); // stops the schedule
              }
            }
          },
          0,
          periodMillis,
          TimeUnit.MILLISECONDS);
      InputStream in = socket.getInputStream();
      int first = in.read();
      sender.shutdownNow();
      if (first < 0) {
        return "";
      }
      return (char) first + new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    } finally {
      sender.shutdownNow();
    }
  }
}
