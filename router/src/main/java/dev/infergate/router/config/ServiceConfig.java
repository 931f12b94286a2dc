package dev.infergate.router.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One routed service: the model name it answers for, how it splits traffic, and its tracks in
 * declaration order (the order fixes the canary bucket layout).
 *
 * @param active the active track for blue-green, null for canary
 * @param fallbackTrack track to fail over to when the chosen one has no usable endpoint, or null
 * @param shadow copies of live inference requests to another track, compared with the live answers; or null
 */
public record ServiceConfig(
    String name,
    String model,
    Strategy strategy,
    List<TrackConfig> tracks,
    String active,
    String fallbackTrack,
    long timeoutMillis,
    RetryConfig retry,
    BreakerConfig circuitBreaker,
    HealthCheckConfig healthCheck,
    ShadowConfig shadow) {

  public ServiceConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(strategy, "strategy");
    tracks = List.copyOf(tracks);
    Objects.requireNonNull(retry, "retry");
    Objects.requireNonNull(circuitBreaker, "circuitBreaker");
    Objects.requireNonNull(healthCheck, "healthCheck");
  }

  /** A service without a shadow. */
  public ServiceConfig(String name, String model, Strategy strategy, List<TrackConfig> tracks, String active,
      String fallbackTrack, long timeoutMillis, RetryConfig retry, BreakerConfig circuitBreaker,
      HealthCheckConfig healthCheck) {
    this(name, model, strategy, tracks, active, fallbackTrack, timeoutMillis, retry, circuitBreaker, healthCheck, null);
  }

  /** The same service with another active track (blue-green). */
  public ServiceConfig withActive(String activeTrack) {
    return new ServiceConfig(name, model, strategy, tracks, activeTrack, fallbackTrack, timeoutMillis, retry,
        circuitBreaker, healthCheck, shadow);
  }

  /** The same service with other tracks (e.g. new weights). */
  public ServiceConfig withTracks(List<TrackConfig> newTracks) {
    return new ServiceConfig(name, model, strategy, newTracks, active, fallbackTrack, timeoutMillis, retry,
        circuitBreaker, healthCheck, shadow);
  }

  public Optional<TrackConfig> track(String trackName) {
    for (TrackConfig t : tracks) {
      if (t.name().equals(trackName)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }
}
