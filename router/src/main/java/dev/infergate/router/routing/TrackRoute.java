package dev.infergate.router.routing;

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
  private final String v1Prefix;
  private final String v2Prefix;

  TrackRoute(String model, TrackConfig config, EndpointGroup endpoints, TrackMeters meters) {
    this.config = config;
    this.endpoints = endpoints;
    this.meters = meters;
    String v = config.modelVersion();
    this.v1Prefix = v == null ? null : "/v1/models/" + model + "/versions/" + v;
    this.v2Prefix = v == null ? null : "/v2/models/" + model + "/versions/" + v;
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
   * The URI to send upstream: the track's version pinned into an unversioned model path, anything
   * else as the client sent it.
   */
  public String upstreamUri(ModelPath path, String clientUri, String query) {
    if (v2Prefix == null || path.versioned()) {
      return clientUri;
    }
    String prefix = path.protocol() == ModelPath.Protocol.V2 ? v2Prefix : v1Prefix;
    String rewritten = prefix.concat(path.rest());
    return query == null ? rewritten : rewritten + "?" + query;
  }
}
