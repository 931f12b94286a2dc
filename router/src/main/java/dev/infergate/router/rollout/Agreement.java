package dev.infergate.router.rollout;

/**
 * Shadow comparisons of one service whose shadow targets a track, cumulative since the router started.
 *
 * @param compared pairs of 2xx answers compared (agreed + disagreed)
 * @param agreed pairs whose predictions agreed
 */
public record Agreement(long compared, long agreed) {
  public static final Agreement NONE = new Agreement(0, 0);

  /** What happened between {@code earlier} and this. */
  public Agreement minus(Agreement earlier) {
    return new Agreement(Math.max(0, compared - earlier.compared), Math.max(0, agreed - earlier.agreed));
  }
}
