package dev.infergate.router.ratelimit;

import dev.infergate.router.config.RateLimitConfig;
import dev.infergate.router.config.RateLimitConfig.Limit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Token buckets by consumer, sized by plan, plus optional buckets per consumer and service that must
 * admit too. Buckets idle for {@code idleEvictSeconds} are dropped by {@link #evictIdle}, and the
 * number tracked is capped, so a million distinct consumers cannot grow memory without bound.
 * Thread-safe, non-blocking.
 */
public final class ConsumerRateLimiter {
  private final RateLimitConfig config;
  private final LongSupplier nanoClock;
  private final Map<String, TokenBucket> buckets = new ConcurrentHashMap<>();

  public ConsumerRateLimiter(RateLimitConfig config, LongSupplier nanoClock) {
    this.config = config;
    this.nanoClock = nanoClock;
  }

  public RateLimitConfig config() {
    return config;
  }

  /**
   * Takes a token for {@code consumer} (on plan {@code plan}) and, if the service has its own limit,
   * for the pair; the stricter decision is returned. Anonymous consumers share one bucket.
   */
  public TokenBucket.Decision tryAcquire(String consumer, String plan, String service) {
    long now = nanoClock.getAsLong();
    String subject = consumer == null ? "" : consumer;
    TokenBucket.Decision decision = bucket("c:" + plan + ":" + subject, config.forPlan(plan), now).tryTake(now);
    Limit serviceLimit = service == null ? null : config.services().get(service);
    if (serviceLimit == null || !decision.allowed()) {
      return decision;
    }
    TokenBucket.Decision perService = bucket("s:" + service + ":" + subject, serviceLimit, now).tryTake(now);
    return perService.allowed() && perService.remaining() >= decision.remaining() ? decision : perService;
  }

  private TokenBucket bucket(String key, Limit limit, long now) {
    TokenBucket bucket = buckets.get(key);
    if (bucket != null) {
      return bucket;
    }
    if (buckets.size() >= config.maxConsumers()) {
      evictIdle();
      if (buckets.size() >= config.maxConsumers()) {
        // Still full of active consumers: start over rather than grow; each restarts with a full burst.
        buckets.clear();
      }
    }
    return buckets.computeIfAbsent(key, k -> new TokenBucket(limit.perSecond(), limit.burst(), now));
  }

  /** Drops buckets unused for {@code idleEvictSeconds}; call it periodically. */
  public void evictIdle() {
    long cutoff = nanoClock.getAsLong() - config.idleEvictSeconds() * 1_000_000_000L;
    buckets.values().removeIf(bucket -> bucket.lastUsedNanos() < cutoff);
  }

  public int trackedBuckets() {
    return buckets.size();
  }
}
