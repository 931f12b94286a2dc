package dev.infergate.router.cluster;

import dev.infergate.router.config.RateLimitConfig;
import dev.infergate.router.config.RateLimitConfig.Limit;
import dev.infergate.router.observability.RouterMetrics;
import dev.infergate.router.ratelimit.ConsumerRateLimiter;
import dev.infergate.router.ratelimit.SharedRateLimiter;
import dev.infergate.router.ratelimit.TokenBucket;
import io.vertx.core.Future;
import io.vertx.redis.client.Response;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * Token buckets shared by every replica: one atomic Lua script per request takes the token in Redis
 * with Redis's own clock ({@code TIME}), so replicas' clocks never matter, as Spring Cloud
 * Gateway's {@code request_rate_limiter.lua} does. The consumer's bucket and, when the service has
 * a limit of its own, the pair's bucket are taken in the same call: one round trip. Keys expire
 * once a bucket would be full again, so idle consumers cost Redis nothing.
 *
 * <p>A call past {@code cluster.timeoutMillis}, an error, or a Redis known to be down: a local
 * bucket decides, sized plan limit / {@code cluster.replicas} (rounded up, at least 1), so that the
 * replicas together stay near the plan's limit while Redis is away. Each answer from Redis sets the
 * consumer's local bucket to its share of the tokens the shared bucket has left, so a local
 * decision goes on from the shared state (a consumer at its limit stays limited) instead of from a
 * full bucket, which would admit a burst per replica on every slow call. Thread-safe, non-blocking.
 */
public final class GlobalRateLimiter implements SharedRateLimiter {
  /**
   * KEYS: bucket keys (1 or 2). ARGV: rate and burst per key. Returns {allowed, limit, remaining,
   * micros to the next token, micros until full} of the stricter bucket (the one with fewer
   * tokens), then each key's tokens left, in thousandths (what the local buckets mirror).
   */
  static final LuaScript SCRIPT =
      new LuaScript(
          """
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
      local tokens = {}
      local allowed = 1
      for i = 1, #KEYS do
        local rate = tonumber(ARGV[2 * i - 1])
        local burst = tonumber(ARGV[2 * i])
        local b = redis.pcall('HMGET', KEYS[i], 't', 'ts')
        if b['err'] then
          -- Not a bucket (written over by something else): start it afresh rather than fail
          -- every call pipelined with this one.
          redis.call('DEL', KEYS[i])
          b = {}
        end
        local tk = tonumber(b[1])
        local ts = tonumber(b[2])
        if tk == nil or ts == nil then
          tk = burst
          ts = now
        end
        if now > ts then
          tk = math.min(burst, tk + (now - ts) * rate / 1000000)
        end
        tk = math.min(burst, tk)
        tokens[i] = tk
        if tk < 1 then
          allowed = 0
        end
      end
      local pick = 1
      for i = 1, #KEYS do
        local rate = tonumber(ARGV[2 * i - 1])
        local burst = tonumber(ARGV[2 * i])
        if allowed == 1 then
          tokens[i] = tokens[i] - 1
        end
        redis.call('HSET', KEYS[i], 't', tostring(tokens[i]), 'ts', tostring(now))
        redis.call('PEXPIRE', KEYS[i], math.ceil(burst * 1000 / rate) + 1000)
        if tokens[i] < tokens[pick] then
          pick = i
        end
      end
      local rate = tonumber(ARGV[2 * pick - 1])
      local burst = tonumber(ARGV[2 * pick])
      local tk = tokens[pick]
      local toNext = 0
      if tk < 1 then
        toNext = math.ceil((1 - tk) * 1000000 / rate)
      end
      local out = {allowed, burst, math.floor(tk), toNext, math.ceil((burst - tk) * 1000000 / rate)}
      for i = 1, #KEYS do
        out[5 + i] = math.floor(tokens[i] * 1000)
      end
      return out
      """);

  private final RedisLink link;
  private final ClusterKeys keys;
  private final long timeoutMillis;
  private final int replicas;
  private final RouterMetrics metrics;
  private final LongSupplier nanoClock;
  private volatile Fallback fallback;

  private record Fallback(RateLimitConfig config, ConsumerRateLimiter limiter) {}

  public GlobalRateLimiter(
      RedisLink link,
      ClusterKeys keys,
      long timeoutMillis,
      int replicas,
      RouterMetrics metrics,
      LongSupplier nanoClock) {
    this.link = link;
    this.keys = keys;
    this.timeoutMillis = timeoutMillis;
    this.replicas = replicas;
    this.metrics = metrics;
    this.nanoClock = nanoClock;
  }

  @Override
  public Future<TokenBucket.Decision> tryAcquire(
      RateLimitConfig config, String consumer, String plan, String service) {
    if (!link.up()) {
      return Future.succeededFuture(local(config, consumer, plan, service, "down"));
    }
    Limit limit = config.forPlan(plan);
    Limit perService = service == null ? null : config.services().get(service);
    List<String> bucketKeys =
        perService == null
            ? List.of(keys.bucket(consumer))
            : List.of(keys.bucket(consumer), keys.bucket(consumer, service));
    List<String> args =
        perService == null
            ? List.of(Long.toString(limit.perSecond()), Long.toString(limit.burst()))
            : List.of(
                Long.toString(limit.perSecond()),
                Long.toString(limit.burst()),
                Long.toString(perService.perSecond()),
                Long.toString(perService.burst()));
    return SCRIPT
        .runPipelined(link, bucketKeys, args, timeoutMillis)
        .transform(
            ar ->
                Future.succeededFuture(
                    ar.succeeded()
                        ? shared(config, consumer, plan, service, ar.result())
                        : local(
                            config,
                            consumer,
                            plan,
                            service,
                            ar.cause() instanceof TimeoutException ? "timeout" : "error")));
  }

  private TokenBucket.Decision shared(
      RateLimitConfig config, String consumer, String plan, String service, Response r) {
    if (r.size() > 5) {
      double serviceTokens = r.size() > 6 ? r.get(6).toLong() / 1000.0 : 0;
      fallbackFor(config)
          .mirror(
              consumer,
              plan,
              service,
              r.get(5).toLong() / 1000.0 / replicas,
              serviceTokens / replicas);
    }
    return decision(r);
  }

  static TokenBucket.Decision decision(Response r) {
    return new TokenBucket.Decision(
        r.get(0).toLong() == 1,
        r.get(1).toLong(),
        Math.max(0, r.get(2).toLong()),
        r.get(3).toLong() * 1000,
        r.get(4).toLong() * 1000);
  }

  private TokenBucket.Decision local(
      RateLimitConfig config, String consumer, String plan, String service, String reason) {
    metrics.rateLimitFallback(reason);
    return fallbackFor(config).tryAcquire(consumer, plan, service);
  }

  /** Drops idle consumers' fallback buckets; call periodically from a worker thread. */
  public void evictIdle() {
    Fallback current = fallback;
    if (current != null) {
      current.limiter().evictIdle();
    }
  }

  private ConsumerRateLimiter fallbackFor(RateLimitConfig config) {
    Fallback current = fallback;
    if (current == null || current.config() != config) {
      synchronized (this) {
        current = fallback;
        if (current == null || current.config() != config) {
          current =
              new Fallback(config, new ConsumerRateLimiter(scaled(config, replicas), nanoClock));
          fallback = current;
        }
      }
    }
    return current.limiter();
  }

  /** Every limit divided by {@code replicas}, rounded up, at least 1: this replica's share. */
  static RateLimitConfig scaled(RateLimitConfig config, int replicas) {
    Map<String, Limit> plans = new LinkedHashMap<>();
    config.plans().forEach((name, limit) -> plans.put(name, share(limit, replicas)));
    Map<String, Limit> services = new LinkedHashMap<>();
    config.services().forEach((name, limit) -> services.put(name, share(limit, replicas)));
    return new RateLimitConfig(
        share(config.defaultLimit(), replicas),
        plans,
        services,
        config.idleEvictSeconds(),
        config.maxConsumers());
  }

  private static Limit share(Limit limit, int replicas) {
    return new Limit(
        Math.max(1, (limit.perSecond() + replicas - 1) / replicas),
        Math.max(1, (limit.burst() + replicas - 1) / replicas));
  }
}
