package dev.infergate.router.rollout;

import dev.infergate.router.observability.RouterMetrics;
import dev.infergate.router.observability.TrackOutcomes;
import dev.infergate.router.routing.RoutingState;
import dev.infergate.router.routing.ServiceRoute;
import dev.infergate.router.routing.TrackRoute;
import dev.infergate.router.upstream.Endpoint;
import java.util.Optional;

/**
 * The real {@link Signals} of one service: readiness from the router's health checks (each
 * endpoint's last check, which also asks for the track's pinned model version), first-try outcomes
 * from the forwarding path's recorders, agreement from the shadow, weights from the routing
 * snapshot in force. Non-blocking; any thread.
 */
final class RoutingSignals implements Signals {
  private final String service;
  private final ServiceRoute route;
  private final RouterMetrics metrics;
  private final AgreementSource agreement;

  /**
   * @param route the service in the snapshot in force (the caller checked it exists)
   */
  RoutingSignals(
      String service, RoutingState routing, RouterMetrics metrics, AgreementSource agreement) {
    this.service = service;
    this.route = routing.current().service(service);
    this.metrics = metrics;
    this.agreement = agreement;
  }

  @Override
  public Readiness readiness(String track) {
    TrackRoute t = route.track(track);
    if (t == null || t.endpoints().size() == 0) {
      return Readiness.NONE;
    }
    int passed = 0;
    int healthy = 0;
    for (Endpoint e : t.endpoints().endpoints()) {
      passed += e.lastCheckPassed() ? 1 : 0;
      healthy += e.healthy() ? 1 : 0;
    }
    return passed == t.endpoints().size()
        ? Readiness.ALL
        : healthy == 0 ? Readiness.NONE : Readiness.SOME;
  }

  @Override
  public TrackOutcomes.Snapshot outcomes(String track) {
    return metrics.outcomes(service, track).snapshot();
  }

  @Override
  public Optional<AgreementCounts> agreement(String track) {
    return agreement.agreement(service, track);
  }

  @Override
  public int weight(String track) {
    TrackRoute t = route.track(track);
    return t == null ? 0 : t.config().weight();
  }
}
