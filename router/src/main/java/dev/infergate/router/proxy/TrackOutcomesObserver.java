package dev.infergate.router.proxy;

import dev.infergate.router.routing.TrackRoute;

/**
 * Feeds the rollout analysis: how each request fared on the track it was sent to first. The first
 * try's outcome and duration go to that track's {@link
 * dev.infergate.router.observability.TrackOutcomes}; a 5xx (not 501), a timeout, a reset or a
 * refused connection is that track's error even when a retry elsewhere then served the client. A
 * request the chosen track could not take at all is the chosen track's error too (and the
 * fallback's request, whose first try it then was). A try the client abandoned says nothing about
 * the track. Event loop; a few atomic adds per request.
 */
final class TrackOutcomesObserver implements AttemptObserver {
  @Override
  public void ended(Attempt attempt, TryOutcome outcome) {
    if (attempt.number() == 1 && outcome != TryOutcome.CLIENT_GONE) {
      attempt.track().meters().outcomes().record(outcome != TryOutcome.ANSWERED, attempt.nanos());
    }
  }

  @Override
  public void unavailable(TrackRoute chosen) {
    chosen.meters().outcomes().record(true, -1);
  }
}
