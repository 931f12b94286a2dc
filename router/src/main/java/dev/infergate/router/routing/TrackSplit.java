package dev.infergate.router.routing;

import dev.infergate.router.config.Weights;
import java.util.Arrays;
import java.util.List;

/**
 * Fixed bucket ranges per track, computed once per config. Tracks take consecutive ranges in
 * declaration order: track i owns [sum of weights before i, that + weight i) × 100. With the usual
 * {@code stable, canary} pair the canary owns the top of the range, [10000 − w·100, 10000), so
 * raising its weight only moves consumers from stable into canary, never back. In general, weight
 * moved between two neighbouring tracks only moves consumers between those two. Blue-green is the
 * same structure with the active track owning everything. Immutable; thread-safe.
 */
public final class TrackSplit {
  private final int[] from;
  private final int[] to;

  private TrackSplit(int[] from, int[] to) {
    this.from = from;
    this.to = to;
  }

  /**
   * @param weights percent per track in declaration order ({@link Weights}: they sum to 100)
   */
  public static TrackSplit weighted(Weights weights) {
    List<Integer> percents = weights.inOrder();
    int n = percents.size();
    int[] from = new int[n];
    int[] to = new int[n];
    int at = 0;
    for (int i = 0; i < n; i++) {
      from[i] = at;
      at += percents.get(i) * Buckets.PER_PERCENT;
      to[i] = at;
    }
    return new TrackSplit(from, to);
  }

  /** Every bucket to track {@code active} of {@code n}. */
  public static TrackSplit allTo(int active, int n) {
    int[] from = new int[n];
    int[] to = new int[n];
    Arrays.fill(from, 0);
    to[active] = Buckets.COUNT;
    return new TrackSplit(from, to);
  }

  /** The index of the track that owns {@code bucket}. */
  public int track(int bucket) {
    for (int i = 0; i < to.length; i++) {
      if (bucket < to[i] && bucket >= from[i]) {
        return i;
      }
    }
    throw new IllegalArgumentException("bucket out of range: " + bucket);
  }

  public int from(int track) {
    return from[track];
  }

  /** Exclusive end. */
  public int to(int track) {
    return to[track];
  }
}
