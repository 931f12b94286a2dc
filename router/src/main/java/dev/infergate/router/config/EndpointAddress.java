package dev.infergate.router.config;

import java.util.Objects;

/**
 * One entry of a track's {@code endpoints}: a model-server replica, {@code http://host:port}, or a
 * DNS name that stands for every address it resolves to, {@code dns://name:port} (a Kubernetes
 * headless Service: one address per ready pod), re-resolved every {@code dnsRefreshMillis}.
 *
 * @param dnsRefreshMillis how often a {@link Kind#DNS} name is resolved again; 0 for {@link
 *     Kind#HTTP}
 */
public record EndpointAddress(Kind kind, String host, int port, long dnsRefreshMillis) {
  /** How the router finds the replicas behind the address. */
  public enum Kind {
    /** The address is the replica. */
    HTTP,
    /** Every address the name resolves to is a replica, on {@link #port()}. */
    DNS
  }

  public EndpointAddress {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(host, "host");
    if (kind == Kind.DNS && dnsRefreshMillis <= 0) {
      throw ConfigException.of(
          "dnsRefreshMillis", "must be positive for a dns endpoint, was " + dnsRefreshMillis);
    }
    if (kind == Kind.HTTP && dnsRefreshMillis != 0) {
      throw ConfigException.of(
          "dnsRefreshMillis", "is only for dns endpoints, was " + dnsRefreshMillis);
    }
  }

  /** A replica at {@code http://host:port}. */
  public EndpointAddress(String host, int port) {
    this(Kind.HTTP, host, port, 0);
  }

  /** Every address of {@code name}, on {@code port}. */
  public static EndpointAddress dns(String name, int port, long refreshMillis) {
    return new EndpointAddress(Kind.DNS, name, port, refreshMillis);
  }

  public boolean isDns() {
    return kind == Kind.DNS;
  }

  /**
   * The address in the configuration's canonical form, {@code http://host:port} or {@code
   * dns://name:port}.
   */
  public String url() {
    return (kind == Kind.DNS ? "dns://" : "http://") + authority();
  }

  public String authority() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  @Override
  public String toString() {
    return url();
  }
}
