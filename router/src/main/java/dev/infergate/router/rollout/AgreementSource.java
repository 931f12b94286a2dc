package dev.infergate.router.rollout;

import java.util.Optional;

/**
 * Where the rollout analysis reads shadow agreement: the shadow package's counts of a service, when
 * its shadow copies go to {@code track}. Called from the rollout driver's worker thread, once per
 * tick and rolled-out service; must not block.
 */
@FunctionalInterface
public interface AgreementSource {
  /** No shadow anywhere: agreement is never judged. */
  AgreementSource NONE = (service, track) -> Optional.empty();

  /**
   * Cumulative comparisons and tries of {@code service}'s shadow copies sent to {@code track};
   * empty when no shadow of that service targets that track (then agreement is not judged and
   * warm-up does not wait for shadow answers).
   */
  Optional<AgreementCounts> agreement(String service, String track);
}
