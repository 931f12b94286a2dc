package dev.infergate.router.observability;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * How the requests first sent to one track of one service fared: counts and a latency histogram of
 * that first try, cumulative since the router started. The rollout analysis diffs two {@link
 * Snapshot}s to judge a window. Bounded (a fixed {@value #BUCKETS}-bucket log-linear histogram, as
 * HdrHistogram lays them out: 3 % resolution from 1 µs to ~67 s), lock-free; any thread.
 */
public final class TrackOutcomes {
  /** Sub-buckets per power of two: the resolution (1/32, ~3 %). */
  private static final int SUB_BITS = 5;

  private static final int SUB = 1 << SUB_BITS;

  /** Values up to 2^26 µs (~67 s) keep their resolution; longer ones fall in the last bucket. */
  private static final int MAX_BITS = 26;

  static final int BUCKETS = 2 * SUB + (MAX_BITS - SUB_BITS - 1) * SUB;

  private final LongAdder requests = new LongAdder();
  private final LongAdder errors = new LongAdder();
  private final AtomicLongArray micros = new AtomicLongArray(BUCKETS);

  /**
   * One request's first try ended.
   *
   * @param failed the track's fault: a 5xx (not 501), a timeout, a reset or a refused connection
   * @param nanos the try's duration (to the response head, or to the failure); negative when no try
   *     was made (no endpoint of the track could take it): counted, with no latency
   */
  public void record(boolean failed, long nanos) {
    requests.increment();
    if (failed) {
      errors.increment();
    }
    if (nanos >= 0) {
      micros.incrementAndGet(bucket(nanos / 1000));
    }
  }

  /**
   * The counts now (not atomic across fields: a request in progress may be in one and not yet in
   * another).
   */
  public Snapshot snapshot() {
    long[] counts = new long[BUCKETS];
    for (int i = 0; i < BUCKETS; i++) {
      counts[i] = micros.get(i);
    }
    return new Snapshot(requests.sum(), errors.sum(), counts);
  }

  static int bucket(long micros) {
    if (micros < 2 * SUB) {
      return (int) micros;
    }
    int exponent = 63 - Long.numberOfLeadingZeros(micros); // >= SUB_BITS + 1
    if (exponent >= MAX_BITS) {
      return BUCKETS - 1;
    }
    int shift = exponent - SUB_BITS;
    int sub = (int) (micros >>> shift) - SUB; // 0..SUB-1
    return 2 * SUB + (shift - 1) * SUB + sub;
  }

  /**
   * The largest value (µs) that falls in bucket {@code i}: percentiles are reported at the bucket's
   * top.
   */
  static long upperMicros(int i) {
    if (i < 2 * SUB) {
      return i;
    }
    int shift = (i - 2 * SUB) / SUB + 1;
    int sub = (i - 2 * SUB) % SUB;
    return ((long) (SUB + sub + 1) << shift) - 1;
  }

  /** Cumulative counts at one moment. Immutable. */
  public static final class Snapshot {
    public static final Snapshot EMPTY = new Snapshot(0, 0, new long[BUCKETS]);
    private final long requests;
    private final long errors;
    private final long[] counts;

    Snapshot(long requests, long errors, long[] counts) {
      this.requests = requests;
      this.errors = errors;
      this.counts = counts;
    }

    public long requests() {
      return requests;
    }

    public long errors() {
      return errors;
    }

    /** What happened between {@code earlier} and this snapshot. */
    public Snapshot minus(Snapshot earlier) {
      long[] diff = new long[BUCKETS];
      for (int i = 0; i < BUCKETS; i++) {
        diff[i] = Math.max(0, counts[i] - earlier.counts[i]);
      }
      return new Snapshot(
          Math.max(0, requests - earlier.requests), Math.max(0, errors - earlier.errors), diff);
    }

    /** The {@code q} quantile (0..1) of the try durations in milliseconds; 0 with no samples. */
    public double quantileMillis(double q) {
      long total = Arrays.stream(counts).sum();
      if (total == 0) {
        return 0;
      }
      long rank = (long) Math.ceil(q * total);
      long seen = 0;
      for (int i = 0; i < BUCKETS; i++) {
        seen += counts[i];
        if (seen >= Math.max(1, rank)) {
          return upperMicros(i) / 1000.0;
        }
      }
      return upperMicros(BUCKETS - 1) / 1000.0;
    }
  }
}
