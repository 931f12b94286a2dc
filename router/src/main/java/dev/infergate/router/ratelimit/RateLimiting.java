package dev.infergate.router.ratelimit;

import dev.infergate.router.config.RateLimitConfig;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The router's current {@link ConsumerRateLimiter}, or none. A reload with changed limits starts a
 * new limiter (every consumer gets a full bucket of the new size); an unchanged block keeps the
 * buckets. The hot path reads one volatile field.
 */
public final class RateLimiting {
  private final LongSupplier nanoClock;
  private volatile ConsumerRateLimiter current;

  /** With {@code cluster}: the limits every replica shares; set once at start, before requests. */
  private volatile SharedRateLimiter shared;

  public RateLimiting(RateLimitConfig config, LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
    configure(config);
  }

  /** The limiter for the current config, or null when rate limiting is off. */
  public ConsumerRateLimiter current() {
    return current;
  }

  /**
   * From now on decisions come from {@code limiter} (the cluster's); this router's own buckets are
   * unused.
   */
  public void share(SharedRateLimiter limiter) {
    this.shared = limiter;
  }

  /** The shared limiter, or null when this router decides alone. */
  public SharedRateLimiter shared() {
    return shared;
  }

  public synchronized void configure(RateLimitConfig config) {
    ConsumerRateLimiter old = current;
    if (old != null && Objects.equals(old.config(), config)) {
      return;
    }
    current = config == null ? null : new ConsumerRateLimiter(config, nanoClock);
  }

  /** Drops idle consumers' buckets; call periodically from a worker thread. */
  public void evictIdle() {
    ConsumerRateLimiter limiter = current;
    if (limiter != null) {
      limiter.evictIdle();
    }
  }
}
