package dev.infergate.router.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Ports for tests. */
public final class Ports {
  private Ports() {}

  /**
   * A loopback port that nothing listens on (bound once, then released): connections are refused.
   */
  public static int refused() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String refusedUrl() {
    return "http://127.0.0.1:" + refused();
  }
}
