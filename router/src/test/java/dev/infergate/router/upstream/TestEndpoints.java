package dev.infergate.router.upstream;

import dev.infergate.router.config.BreakerConfig;
import dev.infergate.router.config.EndpointAddress;
import dev.infergate.router.observability.RouterMetrics;

/**
 * Real endpoints (breaker, meters) for unit tests that build routes without a registry or health
 * checks.
 */
public final class TestEndpoints {
  private TestEndpoints() {}

  public static Endpoint endpoint(
      String service,
      String track,
      EndpointAddress address,
      BreakerConfig breaker,
      Breakers breakers,
      RouterMetrics metrics) {
    Endpoint e =
        new Endpoint(
            service, track, address, metrics.endpoint(service, track, address.authority()));
    e.breaker(breakers.create(e.key(), breaker), breaker);
    return e;
  }
}
