package dev.infergate.router.rollout;

import dev.infergate.router.observability.TrackOutcomes;
import java.util.Optional;

/**
 * What the state machine reads of one service at a tick: readiness, first-try outcomes and shadow
 * agreement of its tracks, and the weights in force. Cumulative figures; the machine diffs them per
 * window. Implementations must not block.
 */
public interface Signals {
  /** How many of a track's endpoints passed their last readiness check. */
  enum Readiness { NONE, SOME, ALL }

  Readiness readiness(String track);

  /** Cumulative first-try outcomes of requests first sent to {@code track}. */
  TrackOutcomes.Snapshot outcomes(String track);

  /** Cumulative shadow comparisons when a shadow targets {@code track}, else empty. */
  Optional<Agreement> agreement(String track);

  /** The weight {@code track} has in the routing in force. */
  int weight(String track);
}
