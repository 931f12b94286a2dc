package dev.infergate.router.admin;

import dev.infergate.router.config.ShadowConfig;
import dev.infergate.router.config.Strategy;
import dev.infergate.router.routing.ServiceRoute;
import dev.infergate.router.routing.TrackRoute;
import dev.infergate.router.shadow.Disagreement;
import dev.infergate.router.shadow.ShadowStats;
import dev.infergate.router.shadow.Shadowing;
import dev.infergate.router.upstream.Endpoint;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** The admin API's JSON views of routing snapshots and endpoints. */
final class AdminJson {
  private AdminJson() {}

  static JsonObject summary(ServiceRoute s) {
    JsonObject o =
        new JsonObject()
            .put("name", s.name())
            .put("model", s.config().model())
            .put("strategy", s.config().strategy().yamlName());
    if (s.config().strategy() == Strategy.CANARY) {
      JsonObject weights = new JsonObject();
      for (TrackRoute t : s.tracks()) {
        weights.put(t.name(), t.config().weight());
      }
      o.put("weights", weights);
    } else {
      o.put("active", s.config().active());
    }
    if (s.config().fallbackTrack() != null) {
      o.put("fallbackTrack", s.config().fallbackTrack());
    }
    return o;
  }

  static JsonObject detail(ServiceRoute s) {
    JsonObject o =
        summary(s)
            .put("timeoutMillis", s.config().timeoutMillis())
            .put(
                "retry",
                new JsonObject()
                    .put("attempts", s.config().retry().attempts())
                    .put("budgetPercent", s.config().retry().budgetPercent())
                    .put("minConcurrent", s.config().retry().minConcurrent())
                    .put("retriesInFlight", s.budget().retriesInFlight())
                    .put("requestsInFlight", s.budget().requestsInFlight()));
    JsonArray tracks = new JsonArray();
    for (int i = 0; i < s.tracks().size(); i++) {
      TrackRoute t = s.tracks().get(i);
      JsonObject track =
          new JsonObject()
              .put("name", t.name())
              .put("modelVersion", t.config().modelVersion())
              .put("buckets", new JsonArray().add(s.split().from(i)).add(s.split().to(i)));
      if (s.config().strategy() == Strategy.CANARY) {
        track.put("weight", t.config().weight());
      } else {
        track.put("active", t.name().equals(s.config().active()));
      }
      JsonArray endpoints = new JsonArray();
      for (Endpoint e : t.endpoints().endpoints()) {
        endpoints.add(endpoint(e));
      }
      tracks.add(track.put("endpoints", endpoints));
    }
    return o.put("tracks", tracks);
  }

  /**
   * A service's {@code shadow} object: its config, the cumulative counts for its shadow track
   * (DESIGN.md), copies in flight, the last error and the last disagreeing requests, oldest first.
   */
  static JsonObject shadow(ShadowConfig config, Shadowing shadowing, String service) {
    ShadowStats stats = shadowing.stats(service);
    double agreement = stats.agreementPercent();
    JsonArray recent = new JsonArray();
    for (Disagreement d : shadowing.recentDisagreements(service)) {
      recent.add(
          new JsonObject()
              .put("requestId", d.requestId())
              .put("liveTrack", d.liveTrack())
              .put("shadowTrack", d.shadowTrack())
              .put("at", java.time.Instant.ofEpochMilli(d.atMillis()).toString())
              .put("reason", d.reason()));
    }
    return new JsonObject()
        .put("track", config.track())
        .put("percent", config.percent())
        .put("tolerance", config.tolerance())
        .put("maxQueued", config.maxQueued())
        .put("compared", stats.compared())
        .put("agreed", stats.agreed())
        .put("disagreed", stats.disagreed())
        .put("errors", stats.errors())
        .put("dropped", stats.dropped())
        .put("notComparable", stats.notComparable())
        .put("agreementPercent", Double.isNaN(agreement) ? null : agreement)
        .put("inFlight", shadowing.inFlight(service))
        .put("lastError", shadowing.lastError(service))
        .put("recentDisagreements", recent);
  }

  static JsonObject endpoint(Endpoint e) {
    return new JsonObject()
        .put("url", e.address().url())
        .put("service", e.service())
        .put("track", e.track())
        .put("healthy", e.healthy())
        .put("breaker", e.breakerState().name())
        .put("outstanding", e.outstanding());
  }
}
