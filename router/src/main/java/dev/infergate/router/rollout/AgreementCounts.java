package dev.infergate.router.rollout;

import dev.infergate.router.observability.TrackOutcomes;

/**
 * Shadow copies of one service whose shadow targets a track, cumulative since the router started:
 * their comparisons, and their tries measured as the live tracks' first tries are (so warm-up can
 * put the shadow's p99 beside the baseline's). Immutable.
 *
 * @param compared pairs of 2xx answers compared (agreed + disagreed)
 * @param agreed pairs whose predictions agreed
 * @param tries the copies' tries: from handing the copy to the transport (a wait for a connection
 *     counts) to the answer's head or the failure, as {@link TrackOutcomes} records a live first
 *     try
 */
public record AgreementCounts(long compared, long agreed, TrackOutcomes.Snapshot tries) {
  public static final AgreementCounts NONE =
      new AgreementCounts(0, 0, TrackOutcomes.Snapshot.EMPTY);

  /** What happened between {@code earlier} and this. */
  public AgreementCounts minus(AgreementCounts earlier) {
    return new AgreementCounts(
        Math.max(0, compared - earlier.compared),
        Math.max(0, agreed - earlier.agreed),
        tries.minus(earlier.tries));
  }
}
