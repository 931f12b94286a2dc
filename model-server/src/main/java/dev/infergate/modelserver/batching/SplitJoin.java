package dev.infergate.modelserver.batching;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Joins the results of a request split into parts: completes exactly once, with every part's result
 * in part order once all have succeeded, or with the first failure (later results and failures of
 * the other parts are dropped). Thread-safe: parts finish on different inference workers; the
 * completion runs on the thread of the part that decides it, outside any lock.
 *
 * @param <R> one part's result
 */
public final class SplitJoin<R> {
  private final Object[] results;
  private final Consumer<List<R>> onAll;
  private final Consumer<Throwable> onFailure;
  private int remaining;
  private boolean done;

  public SplitJoin(int parts, Consumer<List<R>> onAll, Consumer<Throwable> onFailure) {
    if (parts < 1) {
      throw new IllegalArgumentException("parts must be >= 1, was " + parts);
    }
    this.results = new Object[parts];
    this.remaining = parts;
    this.onAll = onAll;
    this.onFailure = onFailure;
  }

  /**
   * The {@code [firstRow, rowCount]} of each part when {@code rows} rows are split into parts of at
   * most {@code maxPartRows}, in row order.
   */
  public static List<int[]> ranges(int rows, int maxPartRows) {
    List<int[]> ranges = new ArrayList<>((rows + maxPartRows - 1) / maxPartRows);
    for (int first = 0; first < rows; first += maxPartRows) {
      ranges.add(new int[] {first, Math.min(maxPartRows, rows - first)});
    }
    return ranges;
  }

  /** Part {@code part} succeeded with {@code result} (not null). */
  @SuppressWarnings("unchecked")
  public void complete(int part, R result) {
    if (result == null) {
      throw new IllegalArgumentException("part " + part + " completed with no result");
    }
    List<R> all;
    synchronized (this) {
      if (done || results[part] != null) {
        return;
      }
      results[part] = result;
      if (--remaining > 0) {
        return;
      }
      done = true;
      all = (List<R>) Arrays.asList(results.clone());
    }
    onAll.accept(all);
  }

  /** Part failed: the whole request fails, once. */
  public void fail(Throwable error) {
    synchronized (this) {
      if (done) {
        return;
      }
      done = true;
      Arrays.fill(results, null);
    }
    onFailure.accept(error);
  }
}
