package dev.infergate.router.config;

/**
 * Per-endpoint circuit breaker settings (YAML {@code circuitBreaker}), mapped onto a count-based
 * resilience4j breaker.
 *
 * @param failureRatePercent failure rate over the window that opens the breaker
 * @param slowCallMillis a call slower than this counts as slow
 * @param slowCallRatePercent slow-call rate over the window that opens the breaker
 * @param window number of calls in the sliding window (also the minimum before the rate is judged)
 * @param openMillis how long the breaker stays open before half-open probes
 * @param halfOpenCalls probes let through while half-open
 */
public record BreakerConfig(
    int failureRatePercent,
    long slowCallMillis,
    int slowCallRatePercent,
    int window,
    long openMillis,
    int halfOpenCalls) {}
