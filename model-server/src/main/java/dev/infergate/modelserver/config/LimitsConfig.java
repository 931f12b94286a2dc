package dev.infergate.modelserver.config;

import java.util.Set;

/**
 * The {@code limits} block: how long and how many clients may hold the inference listener.
 *
 * @param headerTimeoutMillis a request head must be complete within this of its first byte (else
 *     408)
 * @param bodyTimeoutMillis a request body may go this long without a byte (else 408)
 * @param idleTimeoutSeconds connections without traffic for this long are closed
 * @param maxConnections open connections on the listener; more are closed at once
 */
public record LimitsConfig(
    long headerTimeoutMillis, long bodyTimeoutMillis, int idleTimeoutSeconds, int maxConnections) {

  static final Set<String> KEYS =
      Set.of("headerTimeoutMillis", "bodyTimeoutMillis", "idleTimeoutSeconds", "maxConnections");
  public static final long DEFAULT_HEADER_TIMEOUT_MILLIS = 10_000;
  public static final long DEFAULT_BODY_TIMEOUT_MILLIS = 10_000;

  /**
   * Also bounds a request whose answer takes longer than this: far above any sane inference time.
   */
  public static final int DEFAULT_IDLE_TIMEOUT_SECONDS = 60;

  /**
   * Each router replica pools up to 256 connections per endpoint and event loop; keep this above
   * what the routers in front may open, and under the process's open-file limit.
   */
  public static final int DEFAULT_MAX_CONNECTIONS = 8_192;

  public static final LimitsConfig DEFAULT =
      new LimitsConfig(
          DEFAULT_HEADER_TIMEOUT_MILLIS,
          DEFAULT_BODY_TIMEOUT_MILLIS,
          DEFAULT_IDLE_TIMEOUT_SECONDS,
          DEFAULT_MAX_CONNECTIONS);

  public LimitsConfig {
    check("limits.headerTimeoutMillis", headerTimeoutMillis, 100, 600_000);
    check("limits.bodyTimeoutMillis", bodyTimeoutMillis, 100, 600_000);
    check("limits.idleTimeoutSeconds", idleTimeoutSeconds, 1, 3600);
    check("limits.maxConnections", maxConnections, 1, 1_000_000);
  }

  static LimitsConfig from(ConfigNode limits) {
    limits.rejectUnknownKeys(KEYS);
    return new LimitsConfig(
        limits.longValue("headerTimeoutMillis", DEFAULT_HEADER_TIMEOUT_MILLIS, 100, 600_000),
        limits.longValue("bodyTimeoutMillis", DEFAULT_BODY_TIMEOUT_MILLIS, 100, 600_000),
        limits.intValue("idleTimeoutSeconds", DEFAULT_IDLE_TIMEOUT_SECONDS, 1, 3600),
        limits.intValue("maxConnections", DEFAULT_MAX_CONNECTIONS, 1, 1_000_000));
  }

  private static void check(String field, long value, long min, long max) {
    if (value < min || value > max) {
      throw new ConfigException(field + ": must be " + min + ".." + max + ", was " + value);
    }
  }
}
