package dev.infergate.router.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TrackOutcomesTest {
  @Test
  void countsRequestsAndErrors() {
    TrackOutcomes o = new TrackOutcomes();
    o.record(false, 1_000_000);
    o.record(true, 1_000_000);
    o.record(false, 1_000_000);
    assertEquals(3, o.snapshot().requests());
    assertEquals(1, o.snapshot().errors());
  }

  @Test
  void p99IsWithinTheHistogramsThreePercentResolution() {
    TrackOutcomes o = new TrackOutcomes();
    for (int i = 1; i <= 1000; i++) {
      o.record(false, i * 100_000L); // 0.1 ms .. 100 ms evenly: p99 = 99 ms
    }
    double p99 = o.snapshot().quantileMillis(0.99);
    assertTrue(p99 >= 99 && p99 <= 99 * 1.032, "p99 " + p99);
  }

  @Test
  void aWindowIsTheDifferenceOfTwoSnapshots() {
    TrackOutcomes o = new TrackOutcomes();
    for (int i = 0; i < 100; i++) {
      o.record(true, 500_000_000L); // half a second, before the window
    }
    TrackOutcomes.Snapshot start = o.snapshot();
    for (int i = 0; i < 100; i++) {
      o.record(false, 2_000_000L);
    }
    TrackOutcomes.Snapshot window = o.snapshot().minus(start);
    assertEquals(100, window.requests());
    assertEquals(0, window.errors());
    assertTrue(window.quantileMillis(0.99) < 2.1, "p99 " + window.quantileMillis(0.99));
  }

  @Test
  void everyDurationFallsInABucketWhoseTopIsAtLeastIt() {
    for (long micros :
        new long[] {0, 1, 63, 64, 65, 127, 128, 1000, 99_999, 1L << 25, (1L << 26) - 1}) {
      int b = TrackOutcomes.bucket(micros);
      assertTrue(TrackOutcomes.upperMicros(b) >= micros, micros + " in bucket " + b);
      assertTrue(b == 0 || TrackOutcomes.upperMicros(b - 1) < micros, micros + " in bucket " + b);
    }
    assertEquals(TrackOutcomes.BUCKETS - 1, TrackOutcomes.bucket(Long.MAX_VALUE / 1000));
  }
}
