package dev.infergate.router.config;

import java.util.Set;

/**
 * The {@code shutdown} block: what SIGTERM does. First readiness turns false while the router keeps
 * serving for {@code preStopDelayMillis}, so that load balancers and a Service's endpoints stop
 * sending before the listener closes (a request written on a keep-alive connection that closes
 * under it is lost); answers in that time carry {@code Connection: close}, moving clients off this
 * replica. Then the listener stops accepting and requests in flight get up to {@code drainMillis}.
 */
public record ShutdownConfig(long preStopDelayMillis, long drainMillis) {
  static final Set<String> KEYS = Set.of("preStopDelayMillis", "drainMillis");

  /**
   * Long enough for a load balancer's health check to see the replica not ready, short for a
   * laptop.
   */
  public static final long DEFAULT_PRE_STOP_DELAY_MILLIS = 2000;

  public static final long DEFAULT_DRAIN_MILLIS = 10_000;
  private static final long MAX_MILLIS = 300_000;
  public static final ShutdownConfig DEFAULTS =
      new ShutdownConfig(DEFAULT_PRE_STOP_DELAY_MILLIS, DEFAULT_DRAIN_MILLIS);

  public ShutdownConfig {
    Names.checkRange("preStopDelayMillis", preStopDelayMillis, 0, MAX_MILLIS);
    Names.checkRange("drainMillis", drainMillis, 0, MAX_MILLIS);
  }

  static ShutdownConfig parse(YamlMap m) {
    m.rejectUnknown(KEYS);
    return ConfigException.at(
        m.path(),
        () ->
            new ShutdownConfig(
                m.integer("preStopDelayMillis", DEFAULT_PRE_STOP_DELAY_MILLIS),
                m.integer("drainMillis", DEFAULT_DRAIN_MILLIS)));
  }
}
