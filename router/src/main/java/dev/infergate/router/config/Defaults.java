package dev.infergate.router.config;

/** Default values of optional configuration fields, in one place. */
public final class Defaults {
  public static final String LISTEN_HOST = "0.0.0.0";
  public static final int LISTEN_PORT = 8080;
  public static final String ADMIN_HOST = "127.0.0.1";
  public static final int ADMIN_PORT = 8081;
  public static final String STATE_FILE = "state/router-state.json";

  /** 8 MiB, the same limit as the model server's. */
  public static final long MAX_BODY_BYTES = 8L * 1024 * 1024;

  public static final long WATCH_INTERVAL_MILLIS = 1000;

  public static final long TIMEOUT_MILLIS = 5000;
  public static final int RETRY_ATTEMPTS = 3;
  public static final int RETRY_BUDGET_PERCENT = 20;

  /**
   * Retries always allowed in flight. Losing one replica of three at concurrency 16 must cost
   * nothing, and then every request in flight can be a retry at once: those the dead replica held,
   * and those sent on its pooled connections before the router saw them close (least-outstanding
   * favours it, since its requests fail fast). A floor of 10 failed 2 of ~1,300 such requests in
   * one CI run.
   */
  public static final int RETRY_MIN_CONCURRENT = 16;

  public static final int BREAKER_FAILURE_RATE_PERCENT = 50;
  public static final long BREAKER_SLOW_CALL_MILLIS = 2000;
  public static final int BREAKER_WINDOW = 20;
  public static final long BREAKER_OPEN_MILLIS = 5000;
  public static final int BREAKER_HALF_OPEN_CALLS = 3;

  public static final String HEALTH_PATH = "/v2/health/ready";
  public static final long HEALTH_INTERVAL_MILLIS = 1000;

  /** Upper bound of one health probe; the interval bounds it too. */
  public static final long HEALTH_TIMEOUT_MILLIS = 1000;

  /** Endpoints per track: the per-request "already tried" set is a 64-bit mask. */
  public static final int MAX_ENDPOINTS_PER_TRACK = 64;

  /**
   * How often a {@code dns://} endpoint is resolved again; CoreDNS answers for Services with a 5 s
   * TTL.
   */
  public static final long DNS_REFRESH_MILLIS = 5000;

  private Defaults() {}
}
