package dev.infergate.router.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.router.config.RateLimitConfig;
import dev.infergate.router.config.RateLimitConfig.Limit;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ConsumerRateLimiterTest {
  private static final long SECOND = 1_000_000_000L;
  private final AtomicLong now = new AtomicLong(5 * SECOND);

  private ConsumerRateLimiter limiter(Map<String, Limit> services, int maxConsumers) {
    RateLimitConfig config =
        new RateLimitConfig(
            new Limit(50, 100), Map.of("gold", new Limit(500, 1000)), services, 60, maxConsumers);
    return new ConsumerRateLimiter(config, now::get);
  }

  /** Sends at {@code rate}/s for {@code seconds} and counts what is admitted. */
  private int admitted(
      ConsumerRateLimiter limiter, String consumer, String plan, int rate, int seconds) {
    int admitted = 0;
    long step = SECOND / rate;
    for (int i = 0; i < rate * seconds; i++) {
      if (limiter.tryAcquire(consumer, plan, "iris").allowed()) {
        admitted++;
      }
      now.addAndGet(step);
    }
    return admitted;
  }

  @Test
  void admitsBurstPlusRateTimesTimeWithinTenPercentAtFiveTimesTheRate() {
    int admitted = admitted(limiter(Map.of(), 1000), "alice", null, 250, 3);
    int expected = 100 + 50 * 3;
    assertTrue(
        Math.abs(admitted - expected) <= expected / 10,
        "admitted " + admitted + ", expected ~" + expected);
  }

  @Test
  void anotherConsumerIsUnaffected() {
    ConsumerRateLimiter limiter = limiter(Map.of(), 1000);
    admitted(limiter, "greedy", null, 250, 3);
    assertTrue(limiter.tryAcquire("polite", null, "iris").allowed());
    assertEquals(99, limiter.tryAcquire("polite", null, "iris").remaining() + 1);
  }

  @Test
  void sizesBucketsByPlan() {
    ConsumerRateLimiter limiter = limiter(Map.of(), 1000);
    int gold = 0;
    int standard = 0;
    for (int i = 0; i < 2000; i++) {
      gold += limiter.tryAcquire("g", "gold", "iris").allowed() ? 1 : 0;
      standard += limiter.tryAcquire("s", "unknown-plan", "iris").allowed() ? 1 : 0;
    }
    assertEquals(1000, gold);
    assertEquals(100, standard, "an unknown plan gets the default limit");
  }

  @Test
  void aServiceLimitStacksWithTheConsumersLimit() {
    ConsumerRateLimiter limiter = limiter(Map.of("iris", new Limit(5, 10)), 1000);
    int admitted = 0;
    for (int i = 0; i < 50; i++) {
      admitted += limiter.tryAcquire("alice", null, "iris").allowed() ? 1 : 0;
    }
    assertEquals(10, admitted);
    assertTrue(
        limiter.tryAcquire("alice", null, "other").allowed(),
        "other services only see the plan limit");
  }

  @Test
  void refusalSaysWhenToRetry() {
    ConsumerRateLimiter limiter = limiter(Map.of(), 1000);
    TokenBucket.Decision decision = null;
    for (int i = 0; i < 101; i++) {
      decision = limiter.tryAcquire("alice", null, null);
    }
    assertFalse(decision.allowed());
    assertEquals(0, decision.remaining());
    assertEquals(1, decision.retryAfterSeconds());
    assertEquals(2, decision.resetSeconds(), "100 tokens at 50/s refill in 2 s");
  }

  @Test
  void aMillionDistinctConsumersDoNotGrowMemoryWithoutBound() {
    ConsumerRateLimiter limiter = limiter(Map.of(), 10_000);
    for (int i = 0; i < 1_000_000; i++) {
      limiter.tryAcquire("consumer-" + i, null, null);
      if (i % 1000 == 0) {
        now.addAndGet(SECOND);
      }
    }
    assertTrue(limiter.trackedBuckets() <= 10_000, "tracked " + limiter.trackedBuckets());
  }

  @Test
  void evictsIdleBuckets() {
    ConsumerRateLimiter limiter = limiter(Map.of(), 1000);
    limiter.tryAcquire("alice", null, null);
    now.addAndGet(61 * SECOND);
    limiter.evictIdle();
    assertEquals(0, limiter.trackedBuckets());
  }

  @Test
  void aConsumerAtItsLimitStaysLimitedWhileNewConsumersFillTheTable() {
    ConsumerRateLimiter limiter = limiter(Map.of("iris", new Limit(5, 10)), 1000);
    while (limiter.tryAcquire("greedy", null, "iris").allowed()) {
      // spends the service bucket's burst of 10
    }
    for (int i = 0; i < 5_000; i++) {
      assertTrue(
          limiter.tryAcquire("new-" + i, null, "iris").allowed(),
          "a new consumer has a full bucket");
      if (i % 50 == 0) {
        assertFalse(
            limiter.tryAcquire("greedy", null, "iris").allowed(), "after " + i + " new consumers");
      }
    }
    assertTrue(limiter.trackedBuckets() <= 2 * 1000, "tracked " + limiter.trackedBuckets());
  }

  @Test
  void aFullTableEvictsTheLeastRecentlyUsedConsumer() {
    ConsumerRateLimiter limiter = limiter(Map.of(), 1000);
    for (int i = 0; i < 100; i++) {
      limiter.tryAcquire(
          "idle", null, null); // leaves it 0 of 100 tokens, refilled by none: the clock stands
    }
    for (int i = 0; i < 100_000; i++) {
      limiter.tryAcquire("new-" + i, null, null);
    }
    assertTrue(
        limiter.tryAcquire("idle", null, null).allowed(),
        "evicted: it comes back with a full bucket");
    assertTrue(limiter.trackedBuckets() <= 1000, "tracked " + limiter.trackedBuckets());
  }
}
