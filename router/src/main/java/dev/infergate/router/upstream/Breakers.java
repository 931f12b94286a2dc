package dev.infergate.router.upstream;

import dev.infergate.router.config.BreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.time.Duration;

/**
 * The named registry of per-endpoint circuit breakers (name = service/track/host:port) and the
 * mapping of our YAML settings onto resilience4j's count-based breaker. Thread-safe.
 */
public final class Breakers {
  private final CircuitBreakerRegistry registry = CircuitBreakerRegistry.ofDefaults();

  /** Creates (or replaces) the breaker of that name with these settings. */
  public CircuitBreaker create(String name, BreakerConfig settings) {
    registry.remove(name);
    return registry.circuitBreaker(name, toResilience4j(settings));
  }

  public void remove(String name) {
    registry.remove(name);
  }

  public CircuitBreakerRegistry registry() {
    return registry;
  }

  static CircuitBreakerConfig toResilience4j(BreakerConfig c) {
    return CircuitBreakerConfig.custom()
        .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
        .slidingWindowSize(c.window())
        .minimumNumberOfCalls(c.window())
        .failureRateThreshold(c.failureRatePercent())
        .slowCallDurationThreshold(Duration.ofMillis(c.slowCallMillis()))
        .slowCallRateThreshold(c.slowCallRatePercent())
        .waitDurationInOpenState(Duration.ofMillis(c.openMillis()))
        .permittedNumberOfCallsInHalfOpenState(c.halfOpenCalls())
        // Probes start after openMillis even when no request arrives to trigger the transition.
        .automaticTransitionFromOpenToHalfOpenEnabled(true)
        .build();
  }
}
