package dev.infergate.router.config;

import java.util.Objects;

/** A listener address. Port 0 binds a free port (tests). Valid by construction. */
public record HostPort(String host, int port) {
  public static final int MAX_PORT = 65535;

  public HostPort {
    Objects.requireNonNull(host, "host");
    if (host.isBlank()) {
      throw ConfigException.of("host", "must not be empty");
    }
    Names.checkRange("port", port, 0, MAX_PORT);
  }

  @Override
  public String toString() {
    return host + ":" + port;
  }
}
