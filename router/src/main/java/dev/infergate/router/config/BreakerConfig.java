package dev.infergate.router.config;

/**
 * Per-endpoint circuit breaker settings (YAML {@code circuitBreaker}), mapped onto a count-based
 * resilience4j breaker. Valid by construction.
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
    int halfOpenCalls) {

  /** Every slow call counts against the breaker unless said otherwise. */
  public static final int DEFAULT_SLOW_CALL_RATE_PERCENT = 100;

  public BreakerConfig {
    Names.checkRange("failureRatePercent", failureRatePercent, 1, 100);
    Names.checkRange("slowCallMillis", slowCallMillis, 1, ServiceConfig.MAX_TIMEOUT_MILLIS);
    Names.checkRange("slowCallRatePercent", slowCallRatePercent, 1, 100);
    Names.checkRange("window", window, 1, 10_000);
    Names.checkRange("openMillis", openMillis, 1, 3_600_000);
    Names.checkRange("halfOpenCalls", halfOpenCalls, 1, 1000);
  }
}
