package dev.infergate.router.config;

import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * The {@code upstream} block: how the router talks to the model servers. Restart-only (each event
 * loop's client is made when the router starts).
 *
 * @param transport the HTTP client to the model servers: {@code netty} (the default, the fast path)
 *     or {@code vertx} (Vert.x's public HttpClient: slower, but independent of Vert.x internals, so
 *     a Vert.x upgrade that breaks the Netty path is a one-line switch)
 */
public record UpstreamConfig(Transport transport) {
  static final Set<String> KEYS = Set.of("transport");
  public static final Transport DEFAULT_TRANSPORT = Transport.NETTY;
  public static final UpstreamConfig DEFAULTS = new UpstreamConfig(DEFAULT_TRANSPORT);

  /** The client behind {@code upstream.transport}. */
  public enum Transport {
    NETTY,
    VERTX;

    /** The name in the config file. */
    public String configName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public UpstreamConfig {
    Objects.requireNonNull(transport, "upstream.transport");
  }

  static UpstreamConfig parse(YamlMap m) throws ConfigException {
    m.rejectUnknown(KEYS);
    String name = m.string("transport", DEFAULT_TRANSPORT.configName());
    for (Transport t : Transport.values()) {
      if (t.configName().equals(name)) {
        return new UpstreamConfig(t);
      }
    }
    throw new ConfigException(
        m.field("transport") + ": must be netty or vertx, was '" + name + "'");
  }
}
