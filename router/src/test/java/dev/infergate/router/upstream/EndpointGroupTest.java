package dev.infergate.router.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.router.config.BreakerConfig;
import dev.infergate.router.config.EndpointAddress;
import dev.infergate.router.observability.RouterMetrics;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EndpointGroupTest {
  private static final BreakerConfig BREAKER = new BreakerConfig(50, 2000, 100, 4, 60_000, 1);
  private final Breakers breakers = new Breakers();
  private final RouterMetrics metrics = new RouterMetrics();

  private Endpoint endpoint(int port) {
    EndpointAddress a = new EndpointAddress("127.0.0.1", port);
    Endpoint e = new Endpoint("svc", "stable", a, metrics.endpoint("svc", "stable", a.authority()));
    e.breaker(breakers.create(e.key(), BREAKER), BREAKER);
    return e;
  }

  @Test
  void picksTheEndpointWithFewestOutstandingRequests() {
    Endpoint a = endpoint(1);
    Endpoint b = endpoint(2);
    EndpointGroup g = new EndpointGroup(List.of(a, b), new SplittableRandom(1));
    a.tryAcquire();
    a.tryAcquire();
    b.tryAcquire();
    assertEquals(1, g.acquire(0));
    assertEquals(2, b.outstanding());
  }

  @Test
  void anEmptyGroupHasNothingToPick() {
    // A dns:// track before its name first resolves.
    assertEquals(-1, new EndpointGroup(List.of(), new SplittableRandom(1)).acquire(0));
  }

  @Test
  void spreadsTiesAcrossEndpoints() {
    List<Endpoint> all = List.of(endpoint(1), endpoint(2), endpoint(3));
    EndpointGroup g = new EndpointGroup(all, new SplittableRandom(3));
    Set<Integer> picked = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      int p = g.acquire(0);
      picked.add(p);
      all.get(p).succeeded(1_000);
    }
    assertEquals(Set.of(0, 1, 2), picked);
  }

  @Test
  void skipsTriedUnhealthyAndOpenEndpoints() {
    Endpoint a = endpoint(1);
    Endpoint b = endpoint(2);
    Endpoint c = endpoint(3);
    EndpointGroup g = new EndpointGroup(List.of(a, b, c), new SplittableRandom(1));
    a.markUnreachable();
    breakerOf(b).transitionToOpenState();
    assertEquals(2, g.acquire(0));
    assertEquals(-1, g.acquire(0b100));
  }

  @Test
  void panicModeTriesUnhealthyEndpointsWhenNoneIsHealthy() {
    Endpoint a = endpoint(1);
    Endpoint b = endpoint(2);
    EndpointGroup g = new EndpointGroup(List.of(a, b), new SplittableRandom(1));
    a.markUnreachable();
    b.markUnreachable();
    assertTrue(g.acquire(0) >= 0);
  }

  @Test
  void aRetryTriesTheUnhealthyRestRatherThanGiveUp() {
    // The replica just tried died before its health checks noticed; the other one missed a check
    // under load. The retry must still go to the other one, not fail the request.
    Endpoint dead = endpoint(1);
    Endpoint slow = endpoint(2);
    EndpointGroup g = new EndpointGroup(List.of(dead, slow), new SplittableRandom(1));
    slow.markUnreachable();
    assertEquals(0, g.acquire(0), "first try: the healthy one");
    dead.failed(1_000, new java.io.IOException("Connection reset by peer"));
    assertEquals(1, g.acquire(0b01), "retry: the unhealthy rest, in panic");
  }

  /**
   * Forwarding asks the fallback track for a healthy endpoint before it panics: this pick never
   * panics.
   */
  @Test
  void acquireHealthyNeverPicksAnUnhealthyEndpoint() {
    Endpoint a = endpoint(1);
    Endpoint b = endpoint(2);
    EndpointGroup g = new EndpointGroup(List.of(a, b), new SplittableRandom(1));
    a.markUnreachable();
    assertEquals(1, g.acquireHealthy(0));
    b.succeeded(1_000);
    assertEquals(-1, g.acquireHealthy(0b10), "the only healthy one was tried already");
    b.markUnreachable();
    assertEquals(-1, g.acquireHealthy(0), "none healthy: no panic pick");
    assertTrue(g.acquire(0) >= 0, "acquire still panics");
  }

  @Test
  void openBreakersAreRespectedEvenInPanic() {
    Endpoint a = endpoint(1);
    EndpointGroup g = new EndpointGroup(List.of(a), new SplittableRandom(1));
    a.markUnreachable();
    breakerOf(a).transitionToOpenState();
    assertEquals(-1, g.acquire(0));
  }

  @Test
  void halfOpenEndpointGetsOnlyItsPermittedProbes() {
    Endpoint a = endpoint(1);
    Endpoint b = endpoint(2);
    EndpointGroup g = new EndpointGroup(List.of(a, b), new SplittableRandom(1));
    breakerOf(a).transitionToOpenState();
    breakerOf(a).transitionToHalfOpenState();
    b.tryAcquire();
    b.tryAcquire();
    assertEquals(0, g.acquire(0)); // the one probe
    assertEquals(1, g.acquire(0)); // no second probe: the busier closed endpoint instead
  }

  @Test
  void opensBreakerAfterFailureRateThreshold() {
    Endpoint a = endpoint(1);
    for (int i = 0; i < 4; i++) {
      assertTrue(a.tryAcquire());
      if (i % 2 == 0) {
        a.failed(TimeUnit.MILLISECONDS.toNanos(5), new RuntimeException("500"));
      } else {
        a.succeeded(TimeUnit.MILLISECONDS.toNanos(5));
      }
    }
    assertEquals(CircuitBreaker.State.OPEN, a.breakerState());
    assertEquals(0, a.outstanding());
  }

  @Test
  void healthFollowsChecksAndPassiveFailures() {
    Endpoint a = endpoint(1);
    assertTrue(a.healthy());
    a.healthCheckFailed();
    assertTrue(a.healthy(), "one failed check is not enough");
    a.healthCheckFailed();
    assertEquals(false, a.healthy());
    a.healthCheckPassed();
    assertTrue(a.healthy());
    a.markUnreachable();
    assertEquals(false, a.healthy());
  }

  private CircuitBreaker breakerOf(Endpoint e) {
    return breakers.registry().circuitBreaker(e.key());
  }
}
