package dev.infergate.router.shadow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.router.config.ShadowConfig;
import dev.infergate.router.observability.RouterMetrics;
import dev.infergate.router.observability.TrackOutcomes;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** Sampling, the cap on copies, the counts and the disagreement sample, without sockets. */
class ShadowingTest {
  private static final Agreement.Result AGREED =
      new Agreement.Result(Agreement.Verdict.AGREED, null);

  /** Draws the given doubles in order (in [0, 1)). */
  private static final class Draws implements RandomGenerator {
    private final Deque<Double> next = new ArrayDeque<>();

    Draws(double... values) {
      for (double v : values) {
        next.add(v);
      }
    }

    @Override
    public double nextDouble() {
      return next.removeFirst();
    }

    @Override
    public long nextLong() {
      throw new AssertionError("only nextDouble is drawn");
    }
  }

  private final RouterMetrics metrics = new RouterMetrics();
  private final Map<String, ShadowConfig> configs = new ConcurrentHashMap<>();

  private Shadowing shadowing(RandomGenerator random) {
    return new Shadowing(metrics, random, configs::get);
  }

  private static ShadowConfig config(double percent, int maxQueued) {
    return new ShadowConfig("canary", percent, 0.001, maxQueued);
  }

  private static Agreement.Result disagreed(String reason) {
    return new Agreement.Result(Agreement.Verdict.DISAGREED, reason);
  }

  @Test
  void samplesWhenTheDrawIsBelowThePercent() {
    Shadowing s = shadowing(new Draws(0.199, 0.2, 0.95));
    ShadowConfig twenty = config(20, 10);
    assertTrue(s.sample(twenty));
    assertFalse(s.sample(twenty));
    assertFalse(s.sample(twenty));
  }

  @Test
  void zeroPercentNeverSamplesAndHundredAlwaysDoes() {
    Shadowing s = shadowing(new Draws()); // no draw is made for either
    for (int i = 0; i < 100; i++) {
      assertFalse(s.sample(config(0, 10)));
      assertTrue(s.sample(config(100, 10)));
    }
  }

  @Test
  void copiesBeyondMaxQueuedAreDroppedAndCounted() {
    configs.put("iris", config(100, 2));
    Shadowing s = shadowing(new Draws());
    Shadowing.Copy a = s.admit("iris", "stable", config(100, 2), 100);
    Shadowing.Copy b = s.admit("iris", "stable", config(100, 2), 100);
    assertNotNull(a);
    assertNotNull(b);
    assertNull(s.admit("iris", "stable", config(100, 2), 100));
    assertNull(s.admit("iris", "stable", config(100, 2), 100));
    assertEquals(2, s.inFlight("iris"));
    assertEquals(2, s.stats("iris").dropped());

    a.compared(AGREED, "r1", 1000);
    assertEquals(1, s.inFlight("iris"));
    assertNotNull(s.admit("iris", "stable", config(100, 2), 100), "an ended copy frees its place");
  }

  @Test
  void copiesBeyondTheByteBudgetAreDroppedWhateverMaxQueuedSays() {
    configs.put("iris", config(100, 1000));
    Shadowing s = shadowing(new Draws());
    long eight = 8L * 1024 * 1024; // maxBodyBytes' default: the largest request a copy can hold
    java.util.List<Shadowing.Copy> held = new java.util.ArrayList<>();
    for (int i = 0; i < Shadowing.MAX_QUEUED_BYTES / eight; i++) {
      held.add(s.admit("iris", "stable", config(100, 1000), eight));
    }
    assertTrue(held.stream().allMatch(java.util.Objects::nonNull));
    assertNull(s.admit("iris", "stable", config(100, 1000), eight));
    assertNotNull(
        s.admit("iris", "stable", config(100, 1000), 0), "a copy holding nothing still fits");
    held.get(0).failed("x", 1);
    assertNotNull(
        s.admit("iris", "stable", config(100, 1000), eight), "an ended copy gives its bytes back");
    assertEquals(1, s.stats("iris").dropped());
  }

  @Test
  void aCopyEndsAndCountsOnce() {
    configs.put("iris", config(100, 5));
    Shadowing s = shadowing(new Draws());
    Shadowing.Copy c = s.admit("iris", "stable", config(100, 5), 100);
    c.failed("no answer within 10 ms", 5);
    c.failed("again", 5);
    c.compared(AGREED, "r1", 5);
    ShadowStats stats = s.stats("iris");
    assertEquals(1, stats.errors());
    assertEquals(0, stats.compared());
    assertEquals(0, s.inFlight("iris"));
    assertEquals("no answer within 10 ms", s.lastError("iris"));
  }

  @Test
  void statsSumTheLiveTracksOfTheCurrentShadowTrack() {
    configs.put("iris", config(100, 100));
    Shadowing s = shadowing(new Draws());
    s.admit("iris", "stable", config(100, 100), 100).compared(AGREED, "r1", 1);
    s.admit("iris", "blue", config(100, 100), 100).compared(AGREED, "r2", 1);
    s.admit("iris", "stable", config(100, 100), 100).compared(disagreed("x"), "r3", 1);
    s.admit("iris", "stable", config(100, 100), 100)
        .compared(new Agreement.Result(Agreement.Verdict.NOT_COMPARABLE, "binary"), "r4", 1);
    s.admit("iris", "stable", config(100, 100), 100).failed("the shadow answered 500", 1);
    assertEquals(new ShadowStats("iris", "canary", 3, 2, 1, 1, 0, 1), s.stats("iris"));
    assertEquals(100.0 * 2 / 3, s.stats("iris").agreementPercent(), 1e-9);

    // Another shadow track (a reload): its counts are its own.
    ShadowConfig green = new ShadowConfig("green", 100, 0.001, 100);
    configs.put("iris", green);
    assertEquals(new ShadowStats("iris", "green", 0, 0, 0, 0, 0, 0), s.stats("iris"));
    s.admit("iris", "stable", green, 100).compared(AGREED, "r5", 1);
    assertEquals(1, s.stats("iris").agreed());
  }

  @Test
  void copiesTriesAreKeptPerShadowTrackSummedOverLiveTracksForTheRollout() {
    configs.put("iris", config(100, 100));
    Shadowing s = shadowing(new Draws());
    assertEquals(0, s.tries("iris", "canary").requests());
    Shadowing.Copy fast = s.admit("iris", "stable", config(100, 100), 100);
    fast.tried(false, 2_000_000);
    fast.compared(AGREED, "r1", 3_000_000);
    Shadowing.Copy slow = s.admit("iris", "blue", config(100, 100), 100);
    slow.tried(true, 80_000_000);
    slow.failed("the shadow answered 503", 81_000_000);
    Shadowing.Copy unsent = s.admit("iris", "stable", config(100, 100), 100);
    unsent.tried(true, -1);
    unsent.failed("no endpoint of track 'canary' is available", 0);

    TrackOutcomes.Snapshot tries = s.tries("iris", "canary");
    assertEquals(3, tries.requests());
    assertEquals(2, tries.errors());
    // The try's own time (to the head), not the copy's to the end of its answer: 2 ms and 80 ms.
    assertEquals(2.0, tries.quantileMillis(0.5), 0.1);
    assertEquals(80.0, tries.quantileMillis(0.99), 3);
    assertEquals(0, s.tries("iris", "green").requests());
    assertEquals(0, s.tries("mnist", "canary").requests());
  }

  @Test
  void aServiceWithoutShadowHasNoStats() {
    Shadowing s = shadowing(new Draws());
    assertEquals(ShadowStats.none("iris"), s.stats("iris"));
    assertTrue(Double.isNaN(s.stats("iris").agreementPercent()));
  }

  @Test
  void keepsTheLastTwentyDisagreementsWithTheirRequestIds() {
    configs.put("iris", config(100, 100));
    Shadowing s = shadowing(new Draws());
    for (int i = 0; i < 25; i++) {
      s.admit("iris", "stable", config(100, 100), 100)
          .compared(disagreed("row " + i), "req-" + i, 1);
    }
    List<Disagreement> recent = s.recentDisagreements("iris");
    assertEquals(Shadowing.RECENT_DISAGREEMENTS, recent.size());
    assertEquals("req-5", recent.get(0).requestId());
    assertEquals("req-24", recent.get(19).requestId());
    assertEquals("row 24", recent.get(19).reason());
    assertEquals("stable", recent.get(19).liveTrack());
    assertEquals("canary", recent.get(19).shadowTrack());
  }

  @Test
  void countsShowInPrometheusByServiceTrackPairAndResult() {
    configs.put("iris", config(100, 1));
    Shadowing s = shadowing(new Draws());
    s.admit("iris", "stable", config(100, 1), 100).compared(AGREED, "r1", 1_000_000);
    Shadowing.Copy held = s.admit("iris", "stable", config(100, 1), 100);
    assertNull(s.admit("iris", "stable", config(100, 1), 100));
    String text = metrics.scrape();
    assertTrue(
        text.contains(
            "infergate_shadow_requests_total{live_track=\"stable\",result=\"agreed\","
                + "service=\"iris\",shadow_track=\"canary\"} 1.0"),
        text);
    assertTrue(
        text.contains(
            "infergate_shadow_requests_total{live_track=\"stable\",result=\"dropped\","
                + "service=\"iris\",shadow_track=\"canary\"} 1.0"),
        text);
    assertTrue(text.contains("infergate_shadow_in_flight{service=\"iris\"} 1.0"), text);
    assertTrue(
        text.contains(
            "infergate_shadow_duration_seconds_count{live_track=\"stable\",service=\"iris\","
                + "shadow_track=\"canary\"} 1"),
        text);
    held.failed("x", 1);
  }
}
