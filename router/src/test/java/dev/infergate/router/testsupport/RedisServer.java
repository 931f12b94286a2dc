package dev.infergate.router.testsupport;

import dev.infergate.testsupport.ExternalTool;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * A real {@code redis-server} (Debian package {@code redis-server}) on a free loopback port,
 * without persistence: started by a test, ready when it answers PING, killed after. {@link #kill}
 * and {@link #restart} (same port, empty again) play an outage.
 */
public final class RedisServer implements AutoCloseable {
  private static final ExternalTool REDIS =
      new ExternalTool("redis-server", "Install it: apt-get install redis-server (.ci/run does).");
  private static final Duration READY = Duration.ofSeconds(20);
  private final int port;
  private LaunchedProcess process;

  private RedisServer(int port) {
    this.port = port;
  }

  /** Starts one on a free port and waits until it answers PING. */
  public static RedisServer start() throws IOException {
    RedisServer server = new RedisServer(freePort());
    server.launch();
    return server;
  }

  public int port() {
    return port;
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  /** SIGKILL: no goodbye to clients, as a crash or a lost node. */
  public void kill() throws InterruptedException {
    process.kill();
  }

  /** Starts it again on the same port (empty: no persistence) and waits until it answers PING. */
  public void restart() throws IOException {
    launch();
  }

  /** Sends one command (inline protocol) and returns the first line of the reply. */
  public String command(String inline) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
      socket.setSoTimeout(5000);
      OutputStream out = socket.getOutputStream();
      out.write((inline + "\r\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = socket.getInputStream();
      StringBuilder line = new StringBuilder();
      int c;
      while ((c = in.read()) != -1 && c != '\n') {
        if (c != '\r') {
          line.append((char) c);
        }
      }
      return line.toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Redis's clock ({@code TIME}) in microseconds: windows that line up with its token buckets. */
  public long timeMicros() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
      socket.setSoTimeout(5000);
      socket.getOutputStream().write("TIME\r\n".getBytes(StandardCharsets.UTF_8));
      // *2 $10 <seconds> $<n> <micros>
      java.io.BufferedReader reader =
          new java.io.BufferedReader(
              new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      reader.readLine();
      reader.readLine();
      long seconds = Long.parseLong(reader.readLine());
      reader.readLine();
      long micros = Long.parseLong(reader.readLine());
      return seconds * 1_000_000L + micros;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void launch() throws IOException {
    process =
        LaunchedProcess.start(
            "redis-server",
            List.of(
                REDIS.require().toString(),
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no"));
    Poll.until(
        READY,
        () -> {
          if (!process.process().isAlive()) {
            throw new AssertionError("redis-server exited:\n" + process.output());
          }
          try {
            return command("PING").equals("+PONG");
          } catch (UncheckedIOException notYet) {
            return false;
          }
        },
        "redis-server on port " + port + " to answer PING");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null) {
      process.close();
    }
  }
}
