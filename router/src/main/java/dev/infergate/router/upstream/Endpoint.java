package dev.infergate.router.upstream;

import dev.infergate.router.config.BreakerConfig;
import dev.infergate.router.config.EndpointAddress;
import dev.infergate.router.config.HealthCheckConfig;
import dev.infergate.router.observability.EndpointMeters;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One model-server replica as seen by one track of one service: address, health, circuit breaker,
 * requests outstanding and meters. Lives across config reloads for as long as the configuration
 * keeps it (same service, track and address), so that its breaker and health stay. Thread-safe.
 */
public final class Endpoint {
  /** Consecutive failed health checks that mark an endpoint unhealthy. */
  static final int FAILED_CHECKS_TO_UNHEALTHY = 2;

  private final String key;
  private final String service;
  private final String track;
  private final EndpointAddress address;

  /** {@code host:port}, built once: every request names its endpoint (Host header, pool, log). */
  private final String authority;

  private final EndpointMeters meters;
  private final AtomicInteger outstanding = new AtomicInteger();
  private volatile boolean healthy = true;
  private volatile int failedChecks;

  /**
   * False until a health check passed, and after any failed one: "reports its model version ready"
   * now.
   */
  private volatile boolean lastCheckPassed;

  private volatile CircuitBreaker breaker;
  private volatile BreakerConfig breakerConfig;
  // Owned by HealthChecker.
  volatile HealthCheckConfig healthConfig;
  volatile String modelReadyPath;
  volatile long healthTimer = -1;
  volatile boolean probing;

  Endpoint(String service, String track, EndpointAddress address, EndpointMeters meters) {
    this.key = key(service, track, address);
    this.service = service;
    this.track = track;
    this.address = address;
    this.authority = address.authority();
    this.meters = meters;
  }

  static String key(String service, String track, EndpointAddress address) {
    return service + "/" + track + "/" + address.authority();
  }

  public String key() {
    return key;
  }

  public String service() {
    return service;
  }

  public String track() {
    return track;
  }

  public EndpointAddress address() {
    return address;
  }

  public String host() {
    return address.host();
  }

  public int port() {
    return address.port();
  }

  public String authority() {
    return authority;
  }

  public EndpointMeters meters() {
    return meters;
  }

  public boolean healthy() {
    return healthy;
  }

  /**
   * Whether the last health check passed (server ready and the track's model version ready). Unlike
   * {@link #healthy()}, false before the first check and after a single failed one: what a rollout
   * waits for before it gives the track weight.
   */
  public boolean lastCheckPassed() {
    return lastCheckPassed;
  }

  public int outstanding() {
    return outstanding.get();
  }

  public CircuitBreaker.State breakerState() {
    return breaker.getState();
  }

  /** OPEN or FORCED_OPEN: not worth a permission request. */
  boolean breakerOpen() {
    CircuitBreaker.State s = breaker.getState();
    return s == CircuitBreaker.State.OPEN || s == CircuitBreaker.State.FORCED_OPEN;
  }

  /** Takes a breaker permission and counts the try as outstanding. */
  boolean tryAcquire() {
    if (!breaker.tryAcquirePermission()) {
      return false;
    }
    outstanding.incrementAndGet();
    return true;
  }

  /** The try got a response that is not the endpoint's fault. */
  public void succeeded(long nanos) {
    breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
    outstanding.decrementAndGet();
  }

  /** The try failed because of the endpoint (no response, reset, timeout, 5xx). */
  public void failed(long nanos, Throwable cause) {
    breaker.onError(nanos, TimeUnit.NANOSECONDS, cause);
    outstanding.decrementAndGet();
  }

  /** The try was abandoned for a reason that says nothing about the endpoint (client went away). */
  public void abandoned() {
    breaker.releasePermission();
    outstanding.decrementAndGet();
  }

  /** Passive health: a connection was refused; wait for the next passing health check. */
  public void markUnreachable() {
    failedChecks = FAILED_CHECKS_TO_UNHEALTHY;
    healthy = false;
    lastCheckPassed = false;
  }

  void healthCheckPassed() {
    failedChecks = 0;
    healthy = true;
    lastCheckPassed = true;
  }

  void healthCheckFailed() {
    int n = failedChecks + 1;
    failedChecks = n;
    lastCheckPassed = false;
    if (n >= FAILED_CHECKS_TO_UNHEALTHY) {
      healthy = false;
    }
  }

  BreakerConfig breakerConfig() {
    return breakerConfig;
  }

  void breaker(CircuitBreaker breaker, BreakerConfig config) {
    this.breaker = breaker;
    this.breakerConfig = config;
  }

  @Override
  public String toString() {
    return key;
  }
}
