package dev.infergate.router.config;

/**
 * Retry policy of a service. Valid by construction; that {@code perTryTimeoutMillis} fits the
 * service's {@code timeoutMillis} is {@link ServiceConfig}'s check.
 *
 * @param attempts tries per request including the first; a try refused at connect does not count
 * @param budgetPercent retries in flight allowed as a percentage of requests in flight
 * @param minConcurrent retries in flight always allowed, whatever the percentage says
 * @param perTryTimeoutMillis limit of one try; the service's {@code timeoutMillis} bounds the whole
 *     request
 */
public record RetryConfig(
    int attempts, int budgetPercent, int minConcurrent, long perTryTimeoutMillis) {
  public static final int MAX_ATTEMPTS = 10;
  public static final int MAX_MIN_CONCURRENT = 100_000;

  public RetryConfig {
    Names.checkRange("attempts", attempts, 1, MAX_ATTEMPTS);
    Names.checkRange("budgetPercent", budgetPercent, 0, 100);
    Names.checkRange("minConcurrent", minConcurrent, 0, MAX_MIN_CONCURRENT);
    Names.checkRange(
        "perTryTimeoutMillis", perTryTimeoutMillis, 1, ServiceConfig.MAX_TIMEOUT_MILLIS);
  }
}
