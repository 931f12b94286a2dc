package dev.infergate.router.config;

/**
 * Retry policy of a service.
 *
 * @param attempts tries per request including the first; a try refused at connect does not count
 * @param budgetPercent retries in flight allowed as a percentage of requests in flight
 * @param minConcurrent retries in flight always allowed, whatever the percentage says
 * @param perTryTimeoutMillis limit of one try; the service's {@code timeoutMillis} bounds the whole request
 */
public record RetryConfig(int attempts, int budgetPercent, int minConcurrent, long perTryTimeoutMillis) {}
