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
 * Thread-safe, non-blocking; no per-request key building (buckets are keyed by the subject).
 */
public final class ConsumerRateLimiter {
  private final RateLimitConfig config;
  private final LongSupplier nanoClock;
  private final Map<String, TokenBucket> byConsumer = new ConcurrentHashMap<>();
  /** Service name → consumer → bucket, for services with a limit of their own. */
  private final Map<String, Map<String, TokenBucket>> byService = new ConcurrentHashMap<>();

  public ConsumerRateLimiter(RateLimitConfig config, LongSupplier nanoClock) {
    this.config = config;
    this.nanoClock = nanoClock;
    config.services().keySet().forEach(service -> byService.put(service, new ConcurrentHashMap<>()));
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
    TokenBucket.Decision decision = bucket(byConsumer, subject, config.forPlan(plan), now).tryTake(now);
    Map<String, TokenBucket> serviceBuckets = service == null ? null : byService.get(service);
    if (serviceBuckets == null || !decision.allowed()) {
      return decision;
    }
    TokenBucket.Decision perService = bucket(serviceBuckets, subject, config.services().get(service), now).tryTake(now);
    return perService.allowed() && perService.remaining() >= decision.remaining() ? decision : perService;
  }

  private TokenBucket bucket(Map<String, TokenBucket> buckets, String subject, Limit limit, long now) {
    TokenBucket bucket = buckets.get(subject);
    if (bucket != null && bucket.sized(limit.perSecond(), limit.burst())) {
      return bucket;
    }
    if (bucket == null && buckets.size() >= config.maxConsumers()) {
      evictIdle();
      if (buckets.size() >= config.maxConsumers()) {
        // Still full of active consumers: start over rather than grow; each restarts with a full burst.
        buckets.clear();
      }
    }
    // New, or the consumer's plan changed: a bucket of the right size.
    return buckets.compute(subject, (k, old) -> old != null && old.sized(limit.perSecond(), limit.burst())
        ? old : new TokenBucket(limit.perSecond(), limit.burst(), now));
  }

  /** Drops buckets unused for {@code idleEvictSeconds}; call it periodically. */
  public void evictIdle() {
    long cutoff = nanoClock.getAsLong() - config.idleEvictSeconds() * 1_000_000_000L;
    byConsumer.values().removeIf(bucket -> bucket.lastUsedNanos() < cutoff);
    byService.values().forEach(buckets -> buckets.values().removeIf(bucket -> bucket.lastUsedNanos() < cutoff));
  }

  public int trackedBuckets() {
    return byConsumer.size() + byService.values().stream().mapToInt(Map::size).sum();
  }
}
