package dev.infergate.router.config;

import java.util.Objects;

/** A listener address. Port 0 binds a free port (tests). */
public record HostPort(String host, int port) {
  public HostPort {
    Objects.requireNonNull(host, "host");
  }

  @Override
  public String toString() {
    return host + ":" + port;
  }
}
