package dev.infergate.router.config;

import java.util.List;
import java.util.Objects;

/**
 * One track of a service: a pool of endpoints serving one model version.
 *
 * @param weight percent of consumers for {@link Strategy#CANARY}; 0 for blue-green
 * @param modelVersion version the router pins by rewriting the path, or null to leave it to the server
 */
public record TrackConfig(String name, int weight, String modelVersion, List<EndpointAddress> endpoints) {
  public TrackConfig {
    Objects.requireNonNull(name, "name");
    endpoints = List.copyOf(endpoints);
  }
}
