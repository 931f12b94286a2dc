package dev.infergate.router.rollout;

/**
 * Shadow comparisons of one service whose shadow targets a track, cumulative since the router
 * started.
 *
 * @param compared pairs of 2xx answers compared (agreed + disagreed)
 * @param agreed pairs whose predictions agreed
 */
public record AgreementCounts(long compared, long agreed) {
  public static final AgreementCounts NONE = new AgreementCounts(0, 0);

  /** What happened between {@code earlier} and this. */
  public AgreementCounts minus(AgreementCounts earlier) {
    return new AgreementCounts(
        Math.max(0, compared - earlier.compared), Math.max(0, agreed - earlier.agreed));
  }
}
