package dev.infergate.router.ratelimit;

import dev.infergate.router.config.RateLimitConfig;
import io.vertx.core.Future;

/**
 * Rate limits that hold across every router replica together (the cluster's, in Redis), in place of
 * this router's own buckets.
 *
 * <p>Threading: call on the request's event loop; never blocks, and the future completes on that
 * context. Errors: none; the future always succeeds. When the shared store is down or slower than
 * its deadline, a local bucket decides.
 */
public interface SharedRateLimiter {
  /**
   * Takes a token for {@code consumer} on {@code plan} and, when {@code service} has a limit of its
   * own, for the pair; the stricter decision is returned, as {@link ConsumerRateLimiter#tryAcquire}
   * does.
   *
   * @param config the limits in force (a reload passes the new ones)
   */
  Future<TokenBucket.Decision> tryAcquire(
      RateLimitConfig config, String consumer, String plan, String service);
}
