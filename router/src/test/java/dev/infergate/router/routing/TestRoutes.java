package dev.infergate.router.routing;

import dev.infergate.router.config.EndpointAddress;
import dev.infergate.router.config.ServiceConfig;
import dev.infergate.router.config.TrackConfig;
import dev.infergate.router.observability.RouterMetrics;
import dev.infergate.router.upstream.Breakers;
import dev.infergate.router.upstream.Endpoint;
import dev.infergate.router.upstream.EndpointGroup;
import dev.infergate.router.upstream.RetryBudget;
import dev.infergate.router.upstream.TestEndpoints;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A {@link ServiceRoute} built from a parsed service config without a routing state, endpoint
 * registry or health checks: for unit tests of what runs on a route (forwarding with a fake
 * transport).
 */
public final class TestRoutes {
  private TestRoutes() {}

  public static ServiceRoute service(ServiceConfig s, RouterMetrics metrics) {
    Breakers breakers = new Breakers();
    List<TrackRoute> tracks = new ArrayList<>();
    for (TrackConfig t : s.tracks()) {
      List<Endpoint> group = new ArrayList<>();
      for (EndpointAddress a : t.endpoints()) {
        group.add(
            TestEndpoints.endpoint(s.name(), t.name(), a, s.circuitBreaker(), breakers, metrics));
      }
      tracks.add(
          new TrackRoute(
              s.model(),
              t,
              new EndpointGroup(group, new SplittableRandom(1)),
              metrics.track(s.name(), t.name())));
    }
    return new ServiceRoute(
        s,
        tracks,
        TrackSplit.weighted(s.weights()),
        new RetryBudget(s.retry().budgetPercent(), s.retry().minConcurrent()));
  }
}
