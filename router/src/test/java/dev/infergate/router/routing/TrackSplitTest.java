package dev.infergate.router.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.router.config.Weights;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TrackSplitTest {
  @Test
  void canaryOwnsTheTopOfTheBucketRange() {
    TrackSplit split = TrackSplit.weighted(weights(90, 10));
    assertEquals(0, split.from(0));
    assertEquals(9000, split.to(0));
    assertEquals(9000, split.from(1));
    assertEquals(10_000, split.to(1));
    assertEquals(0, split.track(8999));
    assertEquals(1, split.track(9000));
    assertEquals(1, split.track(9999));
  }

  @Test
  void raisingTheCanaryWeightOnlyMovesConsumersIntoTheCanary() {
    for (int w = 0; w < 100; w++) {
      TrackSplit before = TrackSplit.weighted(weights(100 - w, w));
      TrackSplit after = TrackSplit.weighted(weights(99 - w, w + 1));
      for (int b = 0; b < Buckets.COUNT; b++) {
        if (before.track(b) == 1) {
          assertEquals(
              1,
              after.track(b),
              "bucket " + b + " left the canary when its weight rose to " + (w + 1));
        }
      }
    }
  }

  @Test
  void weightMovedBetweenNeighbouringTracksMovesOnlyTheirConsumers() {
    TrackSplit before = TrackSplit.weighted(weights(60, 30, 10));
    TrackSplit after = TrackSplit.weighted(weights(50, 40, 10));
    for (int b = 0; b < Buckets.COUNT; b++) {
      if (before.track(b) != after.track(b)) {
        assertEquals(0, before.track(b));
        assertEquals(1, after.track(b));
      }
      if (before.track(b) == 2) {
        assertEquals(2, after.track(b));
      }
    }
  }

  @Test
  void blueGreenSendsEveryBucketToTheActiveTrack() {
    TrackSplit split = TrackSplit.allTo(1, 2);
    for (int b = 0; b < Buckets.COUNT; b += 7) {
      assertEquals(1, split.track(b));
    }
  }

  @Test
  void consumerBucketsAreStableAndSpreadEvenly() {
    assertEquals(Buckets.of("consumer-42"), Buckets.of("consumer-42"));
    assertNotEquals(Buckets.of("consumer-42"), Buckets.of("consumer-43"));
    // Murmur3 x86_32 reference value (seed 0) for "hello": 0x248bfa47.
    assertEquals(
        0x248bfa47, Buckets.murmur3("hello".getBytes(java.nio.charset.StandardCharsets.UTF_8), 0));
    int[] deciles = new int[10];
    for (int i = 0; i < 10_000; i++) {
      deciles[Buckets.of("user-" + i) / 1000]++;
    }
    for (int d : deciles) {
      assertTrue(d > 900 && d < 1100, "uneven spread: " + java.util.Arrays.toString(deciles));
    }
  }

  @Test
  void randomBucketsComeFromTheInjectedSource() {
    assertEquals(Buckets.random(new SplittableRandom(7)), Buckets.random(new SplittableRandom(7)));
  }

  /** Weights of tracks t0, t1, ... in this order. */
  private static Weights weights(int... percents) {
    Map<String, Integer> byTrack = new LinkedHashMap<>();
    for (int i = 0; i < percents.length; i++) {
      byTrack.put("t" + i, percents[i]);
    }
    return new Weights(byTrack);
  }
}
