package dev.infergate.router.config;

import java.util.Objects;

/** A model-server replica, {@code http://host:port}. */
public record EndpointAddress(String host, int port) {
  public EndpointAddress {
    Objects.requireNonNull(host, "host");
  }

  /** The address as written in the configuration's canonical form, {@code http://host:port}. */
  public String url() {
    return "http://" + authority();
  }

  public String authority() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  @Override
  public String toString() {
    return url();
  }
}
