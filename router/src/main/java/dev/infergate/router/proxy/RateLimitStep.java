package dev.infergate.router.proxy;

import dev.infergate.router.observability.RouterMetrics;
import dev.infergate.router.ratelimit.ConsumerRateLimiter;
import dev.infergate.router.ratelimit.RateLimiting;
import dev.infergate.router.ratelimit.SharedRateLimiter;
import dev.infergate.router.ratelimit.TokenBucket;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;

/**
 * Takes a token from the consumer's bucket (sized by plan) and, when the service has its own limit,
 * from the consumer's bucket for that service. Over the limit: 429 with {@code Retry-After}. Every
 * response carries {@code RateLimit-Limit}, {@code RateLimit-Remaining} and {@code RateLimit-Reset}
 * (seconds until the bucket is full again). Runs after routing so that per-service limits can
 * apply; a request for an unknown model costs no token. Consumers without an identity (no auth, no
 * consumer header) are limited by client address. With {@code cluster}, the buckets are shared by
 * every replica (one Redis call, decided locally when Redis is down or slow).
 */
final class RateLimitStep implements RequestStep {
  static final CharSequence LIMIT = HttpHeaders.createOptimized("RateLimit-Limit");
  static final CharSequence REMAINING = HttpHeaders.createOptimized("RateLimit-Remaining");
  static final CharSequence RESET = HttpHeaders.createOptimized("RateLimit-Reset");

  private final RateLimiting limiting;
  private final RouterMetrics metrics;

  RateLimitStep(RateLimiting limiting, RouterMetrics metrics) {
    this.limiting = limiting;
    this.metrics = metrics;
  }

  @Override
  public void handle(ProxyContext ctx) {
    ConsumerRateLimiter limiter = limiting.current();
    if (limiter == null) {
      ctx.span.setAttribute(SpanNames.RATE_LIMIT, "none");
      ctx.next();
      return;
    }
    String key = ctx.consumerKey;
    if (key == null || key.isEmpty()) {
      io.vertx.core.net.SocketAddress remote = ctx.request.remoteAddress();
      key = "address:" + (remote == null ? "unknown" : remote.hostAddress());
    }
    String plan = ctx.consumer == null ? null : ctx.consumer.plan();
    SharedRateLimiter shared = limiting.shared();
    if (shared == null) {
      decide(ctx, limiter.tryAcquire(key, plan, ctx.service.name()));
      return;
    }
    // One Redis round trip within cluster.timeoutMillis; the body waits for the verdict
    // (BodyReadStep resumes).
    ctx.request.pause();
    shared
        .tryAcquire(limiter.config(), key, plan, ctx.service.name())
        .onSuccess(decision -> decide(ctx, decision));
  }

  private void decide(ProxyContext ctx, TokenBucket.Decision decision) {
    MultiMap headers = ctx.response.headers();
    headers
        .set(LIMIT, Long.toString(decision.limit()))
        .set(REMAINING, Long.toString(decision.remaining()))
        .set(RESET, Long.toString(decision.resetSeconds()));
    if (!decision.allowed()) {
      metrics.rateLimited(ctx.service.name());
      ctx.span.setAttribute(SpanNames.RATE_LIMIT, "rejected");
      headers.set(HttpHeaders.RETRY_AFTER, Long.toString(decision.retryAfterSeconds()));
      ctx.fail(
          429,
          "rate limit exceeded: at most "
              + decision.limit()
              + " requests in a burst; retry after "
              + decision.retryAfterSeconds()
              + " s");
      return;
    }
    ctx.span.setAttribute(SpanNames.RATE_LIMIT, "allowed");
    ctx.next();
  }
}
