package dev.infergate.router.config;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One track of a service: a pool of endpoints serving one model version. Valid by construction: a
 * plain name, a weight of 0..100 ({@link Weights}), 1..{@value Defaults#MAX_ENDPOINTS_PER_TRACK}
 * distinct endpoints; errors name the field relative to the track ({@link ConfigException#at} adds
 * the track's path).
 *
 * @param weight percent of consumers for {@link Strategy#CANARY}; 0 for blue-green
 * @param modelVersion version the router pins by rewriting the path, or null to leave it to the
 *     server
 */
public record TrackConfig(
    String name, int weight, String modelVersion, List<EndpointAddress> endpoints) {
  public TrackConfig {
    Objects.requireNonNull(name, "name");
    Names.check("", name);
    Weights.checkPercent("weight", weight);
    Names.checkVersion("modelVersion", modelVersion);
    endpoints = List.copyOf(endpoints);
    if (endpoints.isEmpty()) {
      throw ConfigException.of("endpoints", "must list at least one endpoint");
    }
    if (endpoints.size() > Defaults.MAX_ENDPOINTS_PER_TRACK) {
      throw ConfigException.of(
          "endpoints",
          "at most "
              + Defaults.MAX_ENDPOINTS_PER_TRACK
              + " endpoints per track, was "
              + endpoints.size());
    }
    Set<EndpointAddress> seen = new LinkedHashSet<>();
    for (int i = 0; i < endpoints.size(); i++) {
      if (!seen.add(endpoints.get(i))) {
        throw ConfigException.of("endpoints[" + i + "]", "duplicate endpoint " + endpoints.get(i));
      }
    }
  }

  /** The same track with another weight (an operator's change); checked like the file's. */
  public TrackConfig withWeight(int newWeight) {
    return new TrackConfig(name, newWeight, modelVersion, endpoints);
  }
}
