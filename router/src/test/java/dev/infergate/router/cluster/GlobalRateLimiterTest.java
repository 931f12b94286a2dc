package dev.infergate.router.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.router.config.ClusterConfig;
import dev.infergate.router.config.RateLimitConfig;
import dev.infergate.router.observability.RouterMetrics;
import dev.infergate.router.ratelimit.TokenBucket;
import dev.infergate.router.testsupport.Poll;
import dev.infergate.router.testsupport.RedisServer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The shared token bucket script against a real redis-server, called as the proxy calls it: from an
 * event loop.
 */
class GlobalRateLimiterTest {
  private RedisServer redis;
  private Vertx vertx;
  private RedisLink link;
  private RouterMetrics metrics;

  @BeforeEach
  void start() throws Exception {
    redis = RedisServer.start();
    vertx = Vertx.vertx();
    link = new RedisLink(vertx, ClusterConfig.of(redis.url()));
    metrics = new RouterMetrics();
  }

  @AfterEach
  void stop() throws Exception {
    link.close();
    vertx.close().await();
    redis.close();
  }

  private List<TokenBucket.Decision> takeInOrder(
      GlobalRateLimiter limiter,
      RateLimitConfig config,
      String consumer,
      String service,
      int n,
      List<Boolean> onCallerContext)
      throws Exception {
    Context context = vertx.getOrCreateContext();
    Promise<List<TokenBucket.Decision>> done = Promise.promise();
    List<TokenBucket.Decision> decisions = new ArrayList<>();
    context.runOnContext(
        v ->
            next(limiter, config, consumer, service, n, decisions, context, onCallerContext, done));
    return done.future().await(20, TimeUnit.SECONDS);
  }

  private void next(
      GlobalRateLimiter limiter,
      RateLimitConfig config,
      String consumer,
      String service,
      int left,
      List<TokenBucket.Decision> decisions,
      Context context,
      List<Boolean> onCallerContext,
      Promise<List<TokenBucket.Decision>> done) {
    if (left == 0) {
      done.complete(decisions);
      return;
    }
    Future<TokenBucket.Decision> f = limiter.tryAcquire(config, consumer, null, service);
    f.onSuccess(
        d -> {
          onCallerContext.add(Vertx.currentContext() == context);
          decisions.add(d);
          next(
              limiter,
              config,
              consumer,
              service,
              left - 1,
              decisions,
              context,
              onCallerContext,
              done);
        });
  }

  private static List<Boolean> allowed(List<TokenBucket.Decision> decisions) {
    return decisions.stream().map(TokenBucket.Decision::allowed).toList();
  }

  private static RateLimitConfig limits(
      long perSecond, long burst, Map<String, RateLimitConfig.Limit> services) {
    return new RateLimitConfig(
        new RateLimitConfig.Limit(perSecond, burst), Map.of(), services, 300, 1000);
  }

  @Test
  void sharedBucketAdmitsTheBurstThenRefusesAndAnswersOnTheCallersContext() throws Exception {
    GlobalRateLimiter limiter =
        new GlobalRateLimiter(link, new ClusterKeys("t"), 10_000, 3, metrics, System::nanoTime);
    List<Boolean> onContext = new ArrayList<>();
    List<TokenBucket.Decision> d =
        takeInOrder(limiter, limits(1, 5, Map.of()), "alice", null, 7, onContext);
    assertEquals(List.of(true, true, true, true, true, false, false), allowed(d));
    assertEquals(5, d.get(0).limit(), "the plan's burst, not the local share (5 / 3)");
    assertEquals(4, d.get(0).remaining());
    assertEquals(0, d.get(4).remaining());
    assertTrue(d.get(6).retryAfterSeconds() >= 1);
    assertTrue(
        onContext.stream().allMatch(b -> b),
        "decisions complete on the caller's event loop: " + onContext);
  }

  @Test
  void perServiceBucketIsTakenInTheSameCallAndTheStricterDecides() throws Exception {
    GlobalRateLimiter limiter =
        new GlobalRateLimiter(link, new ClusterKeys("t"), 10_000, 1, metrics, System::nanoTime);
    List<TokenBucket.Decision> d =
        takeInOrder(
            limiter,
            limits(100, 100, Map.of("iris", new RateLimitConfig.Limit(1, 2))),
            "bob",
            "iris",
            3,
            new ArrayList<>());
    assertEquals(List.of(true, true, false), allowed(d));
    assertEquals(2, d.get(0).limit());
  }

  @Test
  void scriptFlushedFromRedisIsSentAgainWhole() throws Exception {
    GlobalRateLimiter limiter =
        new GlobalRateLimiter(link, new ClusterKeys("t"), 10_000, 5, metrics, System::nanoTime);
    takeInOrder(limiter, limits(1, 5, Map.of()), "carol", null, 1, new ArrayList<>());
    assertEquals("+OK", redis.command("SCRIPT FLUSH"));
    List<TokenBucket.Decision> d =
        takeInOrder(limiter, limits(1, 5, Map.of()), "carol", null, 3, new ArrayList<>());
    assertEquals(
        5,
        d.get(0).limit(),
        "the shared bucket (the local share would be 5 / 5 = 1), after NOSCRIPT");
    assertTrue(
        metrics
            .scrape()
            .lines()
            .noneMatch(l -> l.startsWith("infergate_router_ratelimit_fallback_total")));
  }

  @Test
  void scriptFlushedFromRedisIsSentAgainWholeByEveryCallOfABatch() throws Exception {
    GlobalRateLimiter limiter =
        new GlobalRateLimiter(link, new ClusterKeys("t"), 10_000, 5, metrics, System::nanoTime);
    RateLimitConfig config = limits(1, 20, Map.of());
    takeInOrder(limiter, config, "gina", null, 1, new ArrayList<>());
    Poll.until(Duration.ofSeconds(10), () -> link.loopConnections() >= 1, "a loop connection");
    assertEquals("+OK", redis.command("SCRIPT FLUSH"));
    Context loop = vertx.getOrCreateContext();
    Promise<List<Future<TokenBucket.Decision>>> made = Promise.promise();
    loop.runOnContext(
        v -> {
          List<Future<TokenBucket.Decision>> calls = new ArrayList<>();
          for (int i = 0; i < 10; i++) {
            calls.add(limiter.tryAcquire(config, "gina", null, null));
          }
          made.complete(calls);
        });
    List<Future<TokenBucket.Decision>> calls = made.future().await(10, TimeUnit.SECONDS);
    Future.all(calls).await(10, TimeUnit.SECONDS);
    assertEquals(
        Collections.nCopies(10, "allowed of 20"),
        calls.stream()
            .map(f -> (f.result().allowed() ? "allowed" : "refused") + " of " + f.result().limit())
            .toList(),
        "ten calls of one loop turn, all decided by the shared bucket of 20 after NOSCRIPT "
            + "(a local share would be 20 / 5 = 4)");
    assertTrue(
        metrics
            .scrape()
            .lines()
            .noneMatch(l -> l.startsWith("infergate_router_ratelimit_fallback_total")));
  }

  @Test
  void bucketKeysOverwrittenWithGarbageStartAfreshInRedis() throws Exception {
    GlobalRateLimiter limiter =
        new GlobalRateLimiter(link, new ClusterKeys("t"), 10_000, 3, metrics, System::nanoTime);
    RateLimitConfig config = limits(1, 6, Map.of());
    // A string where the script expects a hash (WRONGTYPE for HMGET): replaced by a full bucket.
    assertEquals("+OK", redis.command("SET t:rl:{mallory} x"));
    List<TokenBucket.Decision> m =
        takeInOrder(limiter, config, "mallory", null, 7, new ArrayList<>());
    assertEquals(List.of(true, true, true, true, true, true, false), allowed(m));
    assertEquals(6, m.get(0).limit(), "decided by the shared bucket of 6, not the local 2");
    assertEquals(":1", redis.command("EXISTS t:rl:{mallory}"));
    // A hash whose fields are not numbers: read as a bucket that was full.
    redis.command("HSET t:rl:{oscar} t lots ts yesterday");
    List<TokenBucket.Decision> d =
        takeInOrder(limiter, config, "oscar", null, 7, new ArrayList<>());
    assertEquals(List.of(true, true, true, true, true, true, false), allowed(d));
    assertEquals(6, d.get(0).limit(), "decided by the shared bucket of 6");
    assertTrue(
        metrics
            .scrape()
            .lines()
            .noneMatch(l -> l.startsWith("infergate_router_ratelimit_fallback_total")),
        "no call fell back");
  }

  @Test
  void redisDownDecidesLocallyWithTheReplicasShare() throws Exception {
    redis.kill();
    GlobalRateLimiter limiter =
        new GlobalRateLimiter(link, new ClusterKeys("t"), 10_000, 3, metrics, System::nanoTime);
    List<TokenBucket.Decision> d =
        takeInOrder(limiter, limits(1, 6, Map.of()), "dave", null, 4, new ArrayList<>());
    assertEquals(List.of(true, true, false, false), allowed(d), "6 / 3 replicas = 2 locally");
    assertTrue(metrics.scrape().contains("infergate_router_ratelimit_fallback_total"));
  }

  @Test
  void consumerWhoEmptiedTheSharedBucketStaysLimitedWhenRedisGoesAway() throws Exception {
    GlobalRateLimiter limiter =
        new GlobalRateLimiter(link, new ClusterKeys("t"), 10_000, 3, metrics, System::nanoTime);
    RateLimitConfig config = limits(1, 6, Map.of());
    List<TokenBucket.Decision> shared =
        takeInOrder(limiter, config, "erin", null, 6, new ArrayList<>());
    assertTrue(shared.stream().allMatch(TokenBucket.Decision::allowed), "the burst of 6");
    redis.kill();
    List<TokenBucket.Decision> local =
        takeInOrder(limiter, config, "erin", null, 3, new ArrayList<>());
    assertEquals(
        List.of(false, false, false),
        allowed(local),
        "the local bucket goes on from the shared one's 0 tokens, not from a full share of 2");
    assertTrue(metrics.scrape().contains("infergate_router_ratelimit_fallback_total"));
    List<TokenBucket.Decision> fresh =
        takeInOrder(limiter, config, "frank", null, 3, new ArrayList<>());
    assertEquals(
        List.of(true, true, false),
        allowed(fresh),
        "a consumer Redis never saw gets the replica's share, 6 / 3");
  }
}
