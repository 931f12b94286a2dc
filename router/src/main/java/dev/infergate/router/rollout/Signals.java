package dev.infergate.router.rollout;

import dev.infergate.router.observability.TrackOutcomes;
import java.util.Optional;

/**
 * What the state machine reads of one service at a tick: readiness, first-try outcomes and shadow
 * agreement of its tracks, and the weights in force. Cumulative figures; the machine diffs them per
 * window. Implementations must not block.
 */
public interface Signals {
  /**
   * A track's readiness: {@code ALL} when every endpoint passed its last readiness check (what
   * warm-up waits for), {@code NONE} when no endpoint is healthy by the router's health checks
   * (what routing goes by: a restart or one slow check does not make a serving track "not ready"),
   * else {@code SOME}.
   */
  enum Readiness {
    NONE,
    SOME,
    ALL
  }

  Readiness readiness(String track);

  /** Cumulative first-try outcomes of requests first sent to {@code track}. */
  TrackOutcomes.Snapshot outcomes(String track);

  /** Cumulative shadow comparisons and tries when a shadow targets {@code track}, else empty. */
  Optional<AgreementCounts> agreement(String track);

  /** The weight {@code track} has in the routing in force. */
  int weight(String track);
}
