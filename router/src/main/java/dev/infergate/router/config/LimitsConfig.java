package dev.infergate.router.config;

import java.util.Set;

/**
 * The {@code limits} block: how long and how many clients may hold the router's listeners. Valid by
 * construction.
 *
 * @param headerTimeoutMillis a request head must be complete within this of its first byte (else
 *     408)
 * @param bodyTimeoutMillis a request body may go this long without a byte (else 408)
 * @param idleTimeoutSeconds connections without traffic for this long are closed (both listeners)
 * @param maxConnections open connections on the public listener; more are closed at once
 * @param adminMaxConnections open connections on the admin listener
 */
public record LimitsConfig(
    long headerTimeoutMillis,
    long bodyTimeoutMillis,
    int idleTimeoutSeconds,
    int maxConnections,
    int adminMaxConnections) {

  static final Set<String> KEYS =
      Set.of(
          "headerTimeoutMillis",
          "bodyTimeoutMillis",
          "idleTimeoutSeconds",
          "maxConnections",
          "adminMaxConnections");
  public static final long DEFAULT_HEADER_TIMEOUT_MILLIS = 10_000;
  public static final long DEFAULT_BODY_TIMEOUT_MILLIS = 10_000;
  public static final int DEFAULT_IDLE_TIMEOUT_SECONDS = 60;

  /** Keep it under the process's open-file limit, with room for upstream connections. */
  public static final int DEFAULT_MAX_CONNECTIONS = 16_384;

  public static final int DEFAULT_ADMIN_MAX_CONNECTIONS = 256;
  public static final LimitsConfig DEFAULT =
      new LimitsConfig(
          DEFAULT_HEADER_TIMEOUT_MILLIS,
          DEFAULT_BODY_TIMEOUT_MILLIS,
          DEFAULT_IDLE_TIMEOUT_SECONDS,
          DEFAULT_MAX_CONNECTIONS,
          DEFAULT_ADMIN_MAX_CONNECTIONS);

  public LimitsConfig {
    Names.checkRange("headerTimeoutMillis", headerTimeoutMillis, 100, 600_000);
    Names.checkRange("bodyTimeoutMillis", bodyTimeoutMillis, 100, 600_000);
    Names.checkRange("idleTimeoutSeconds", idleTimeoutSeconds, 1, 3600);
    Names.checkRange("maxConnections", maxConnections, 1, 1_000_000);
    Names.checkRange("adminMaxConnections", adminMaxConnections, 1, 1_000_000);
  }

  static LimitsConfig parse(YamlMap limits) {
    limits.rejectUnknown(KEYS);
    return ConfigException.at(
        limits.path(),
        () ->
            new LimitsConfig(
                limits.integer("headerTimeoutMillis", DEFAULT_HEADER_TIMEOUT_MILLIS),
                limits.integer("bodyTimeoutMillis", DEFAULT_BODY_TIMEOUT_MILLIS),
                limits.int32("idleTimeoutSeconds", DEFAULT_IDLE_TIMEOUT_SECONDS),
                limits.int32("maxConnections", DEFAULT_MAX_CONNECTIONS),
                limits.int32("adminMaxConnections", DEFAULT_ADMIN_MAX_CONNECTIONS)));
  }
}
