package dev.infergate.router.ratelimit;

import dev.infergate.router.config.RateLimitConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Token buckets by consumer, sized by plan, plus optional buckets per consumer and service that
 * must admit too. Buckets idle for {@code idleEvictSeconds} are dropped by {@link #evictIdle}, and
 * each table holds at most {@code maxConsumers}, evicting the least recently used, so a million
 * distinct consumers cannot grow memory without bound nor reset the buckets of consumers at their
 * limit. Thread-safe, non-blocking; no per-request key building (buckets are keyed by the subject).
 */
public final class ConsumerRateLimiter {
  private final RateLimitConfig config;
  private final LongSupplier nanoClock;
  private final ConsumerTable byConsumer;

  /** Service name → consumer → bucket, for services with a limit of their own. Never changes. */
  private final Map<String, ConsumerTable> byService = new HashMap<>();

  public ConsumerRateLimiter(RateLimitConfig config, LongSupplier nanoClock) {
    this.config = config;
    this.nanoClock = nanoClock;
    this.byConsumer = new ConsumerTable(config.maxConsumers());
    config
        .services()
        .keySet()
        .forEach(service -> byService.put(service, new ConsumerTable(config.maxConsumers())));
  }

  public RateLimitConfig config() {
    return config;
  }

  /**
   * Takes a token for {@code consumer} (on plan {@code plan}) and, if the service has its own
   * limit, for the pair; the stricter decision is returned. Anonymous consumers share one bucket.
   */
  public TokenBucket.Decision tryAcquire(String consumer, String plan, String service) {
    long now = nanoClock.getAsLong();
    String subject = consumer == null ? "" : consumer;
    TokenBucket.Decision decision =
        byConsumer.bucket(subject, config.forPlan(plan), now).tryTake(now);
    ConsumerTable serviceBuckets = service == null ? null : byService.get(service);
    if (serviceBuckets == null || !decision.allowed()) {
      return decision;
    }
    TokenBucket.Decision perService =
        serviceBuckets.bucket(subject, config.services().get(service), now).tryTake(now);
    return perService.allowed() && perService.remaining() >= decision.remaining()
        ? decision
        : perService;
  }

  /**
   * Sets {@code consumer}'s bucket to {@code consumerTokens} and, if the service has its own limit,
   * the pair's to {@code serviceTokens} (clamped to each bucket's burst), taking nothing: this
   * limiter then mirrors buckets decided elsewhere (see {@link TokenBucket#mirror}).
   */
  public void mirror(
      String consumer, String plan, String service, double consumerTokens, double serviceTokens) {
    long now = nanoClock.getAsLong();
    String subject = consumer == null ? "" : consumer;
    byConsumer.bucket(subject, config.forPlan(plan), now).mirror(consumerTokens, now);
    ConsumerTable serviceBuckets = service == null ? null : byService.get(service);
    if (serviceBuckets != null) {
      serviceBuckets
          .bucket(subject, config.services().get(service), now)
          .mirror(serviceTokens, now);
    }
  }

  /** Drops buckets unused for {@code idleEvictSeconds}; call it periodically. */
  public void evictIdle() {
    long cutoff = nanoClock.getAsLong() - config.idleEvictSeconds() * 1_000_000_000L;
    byConsumer.evictUsedBefore(cutoff);
    byService.values().forEach(buckets -> buckets.evictUsedBefore(cutoff));
  }

  public int trackedBuckets() {
    return byConsumer.size() + byService.values().stream().mapToInt(ConsumerTable::size).sum();
  }
}
