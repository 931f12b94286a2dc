package dev.infergate.router.routing;

import dev.infergate.http.KServePath;
import dev.infergate.router.config.TrackConfig;
import dev.infergate.router.observability.TrackMeters;
import dev.infergate.router.upstream.EndpointGroup;

/**
 * One track of a service in a routing snapshot: its endpoints, its pinned model version (with the
 * rewritten path prefixes computed once) and its meters. Immutable; thread-safe.
 */
public final class TrackRoute {
  private final TrackConfig config;
  private final EndpointGroup endpoints;
  private final TrackMeters meters;

  /**
   * {@code /v1/models/{model}} and {@code /v2/models/{model}}, with the pinned version when there
   * is one.
   */
  private final String v1Prefix;

  private final String v2Prefix;
  private final String v1Model;
  private final String v2Model;

  TrackRoute(String model, TrackConfig config, EndpointGroup endpoints, TrackMeters meters) {
    this.config = config;
    this.endpoints = endpoints;
    this.meters = meters;
    this.v1Model = "/v1/models/" + model;
    this.v2Model = "/v2/models/" + model;
    String v = config.modelVersion();
    this.v1Prefix = v == null ? v1Model : v1Model + "/versions/" + v;
    this.v2Prefix = v == null ? v2Model : v2Model + "/versions/" + v;
  }

  public String name() {
    return config.name();
  }

  public TrackConfig config() {
    return config;
  }

  public EndpointGroup endpoints() {
    return endpoints;
  }

  public TrackMeters meters() {
    return meters;
  }

  /**
   * The URI to send upstream, built from the parts the router matched, never from the client's
   * bytes: the service's model, the version the client named (already held to the name charset by
   * {@link KServePath#parse}) or else the track's pin, the operation's fixed suffix, and the query.
   *
   * @param query the client's query string (checked canonical), or null
   */
  public String upstreamUri(KServePath path, String query) {
    boolean v2 = path.protocol() == KServePath.Protocol.V2;
    String base;
    if (path.versioned()) {
      base = (v2 ? v2Model : v1Model) + "/versions/" + path.version();
    } else {
      base = v2 ? v2Prefix : v1Prefix;
    }
    String uri = base.concat(path.operation().suffix());
    return query == null || query.isEmpty() ? uri : uri + "?" + query;
  }
}
