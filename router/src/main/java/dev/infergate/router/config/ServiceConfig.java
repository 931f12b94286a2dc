package dev.infergate.router.config;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One routed service: the model name it answers for, how it splits traffic, and its tracks in
 * declaration order (the order fixes the canary bucket layout). Valid by construction, across
 * fields too: canary weights sum to 100 ({@link Weights}), blue-green has an active track and no
 * weights, named tracks exist, one try's limit fits the request's. Errors name the field relative
 * to the service.
 *
 * @param active the active track for blue-green, null for canary
 * @param fallbackTrack track to fail over to when the chosen one has no usable endpoint, or null
 * @param shadow copies of live inference requests to another track, compared with the live answers;
 *     or null
 * @param rollout the automated canary's settings (canary strategy only), or null
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
    ShadowConfig shadow,
    RolloutConfig rollout) {

  /**
   * Upper bound of every time limit of a request (timeoutMillis, perTryTimeoutMillis,
   * slowCallMillis).
   */
  public static final long MAX_TIMEOUT_MILLIS = 600_000;

  public ServiceConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(strategy, "strategy");
    tracks = List.copyOf(tracks);
    Objects.requireNonNull(retry, "retry");
    Objects.requireNonNull(circuitBreaker, "circuitBreaker");
    Objects.requireNonNull(healthCheck, "healthCheck");
    Names.check("", name);
    Names.check("model", model);
    if (tracks.isEmpty()) {
      throw ConfigException.of("tracks", "must name at least one track");
    }
    Set<String> names = new LinkedHashSet<>();
    for (TrackConfig t : tracks) {
      if (!names.add(t.name())) {
        throw ConfigException.of("tracks." + t.name(), "duplicate track");
      }
    }
    if (strategy == Strategy.CANARY) {
      List<TrackConfig> all = tracks;
      ConfigException.at("tracks", () -> Weights.of(all));
      if (active != null) {
        throw ConfigException.of(
            "active", "only used by strategy blue-green, was '" + active + "'");
      }
    } else {
      for (TrackConfig t : tracks) {
        if (t.weight() != 0) {
          throw ConfigException.of(
              "tracks." + t.name() + ".weight", "not used by strategy blue-green (use active)");
        }
      }
      if (active == null) {
        throw ConfigException.of("active", "required for strategy blue-green");
      }
      checkTrack("active", active, names);
    }
    if (fallbackTrack != null) {
      checkTrack("fallbackTrack", fallbackTrack, names);
    }
    if (shadow != null) {
      checkTrack("shadow.track", shadow.track(), names);
    }
    Names.checkRange("timeoutMillis", timeoutMillis, 1, MAX_TIMEOUT_MILLIS);
    if (retry.perTryTimeoutMillis() > timeoutMillis) {
      throw ConfigException.of(
          "retry.perTryTimeoutMillis",
          "must be <= timeoutMillis (" + timeoutMillis + "), was " + retry.perTryTimeoutMillis());
    }
    if (rollout != null) {
      checkRollout(strategy, tracks, rollout);
    }
  }

  /**
   * This service, when its shadow track is not the only one that takes live traffic as the file
   * declares it (the shadow copies what <em>other</em> tracks served). Not in the constructor on
   * purpose: run-time changes (weights, promote) are not held to it, a shadow track that later
   * serves everything just gets no copies.
   */
  ServiceConfig requireShadowOfOtherTracks() {
    if (shadow == null) {
      return this;
    }
    String track = shadow.track();
    boolean otherLive =
        strategy == Strategy.BLUE_GREEN
            ? !track.equals(active)
            : tracks.stream().anyMatch(t -> !t.name().equals(track) && t.weight() > 0);
    if (!otherLive) {
      throw ConfigException.of(
          "shadow.track",
          "'"
              + track
              + "' is the only track that serves live traffic"
              + (strategy == Strategy.BLUE_GREEN
                  ? " (it is the active track)"
                  : " (every other track has weight 0)")
              + "; a shadow copies what other tracks serve");
    }
    return this;
  }

  private static void checkTrack(String field, String track, Set<String> names) {
    if (!names.contains(track)) {
      throw ConfigException.of(
          field, "must name a track (" + String.join(", ", names) + "), was '" + track + "'");
    }
  }

  /** The canary weights of the tracks; only for {@link Strategy#CANARY}. */
  public Weights weights() {
    if (strategy != Strategy.CANARY) {
      throw new IllegalStateException(
          "service " + name + " is " + strategy.yamlName() + ": it has no weights");
    }
    return Weights.of(tracks);
  }

  /**
   * Whether {@code rollout} fits a service of this strategy and these tracks.
   *
   * @throws IllegalArgumentException naming the field under {@code rollout.} and the bad value
   */
  public static void checkRollout(
      Strategy strategy, List<TrackConfig> tracks, RolloutConfig rollout) {
    if (strategy != Strategy.CANARY) {
      throw new IllegalArgumentException(
          "rollout: only for strategy canary (blue-green switches with promote), was "
              + strategy.yamlName());
    }
    List<String> names = tracks.stream().map(TrackConfig::name).toList();
    if (!names.contains(rollout.candidate())) {
      throw new IllegalArgumentException(
          "rollout.candidate: must name a track " + names + ", was '" + rollout.candidate() + "'");
    }
    if (!names.contains(rollout.baseline())) {
      throw new IllegalArgumentException(
          "rollout.baseline: must name a track " + names + ", was '" + rollout.baseline() + "'");
    }
  }

  /**
   * Whether the rollout's last step fits beside the weights of the tracks other than candidate and
   * baseline (they keep theirs). Checked when the file is loaded and when a rollout starts, not
   * here: an operator may change those weights at run time.
   *
   * @throws IllegalArgumentException naming {@code rollout.steps}
   */
  public static void checkRolloutFits(List<TrackConfig> tracks, RolloutConfig rollout) {
    int others =
        tracks.stream()
            .filter(
                t -> !t.name().equals(rollout.candidate()) && !t.name().equals(rollout.baseline()))
            .mapToInt(TrackConfig::weight)
            .sum();
    int last = rollout.steps().get(rollout.steps().size() - 1);
    if (last + others > 100) {
      throw new IllegalArgumentException(
          "rollout.steps: the last step ("
              + last
              + ") does not fit beside the other "
              + "tracks' weights ("
              + others
              + ")");
    }
  }

  /** The same service with another active track (blue-green). */
  public ServiceConfig withActive(String activeTrack) {
    return new ServiceConfig(
        name,
        model,
        strategy,
        tracks,
        activeTrack,
        fallbackTrack,
        timeoutMillis,
        retry,
        circuitBreaker,
        healthCheck,
        shadow,
        rollout);
  }

  /** The same service with other tracks. */
  public ServiceConfig withTracks(List<TrackConfig> newTracks) {
    return new ServiceConfig(
        name,
        model,
        strategy,
        newTracks,
        active,
        fallbackTrack,
        timeoutMillis,
        retry,
        circuitBreaker,
        healthCheck,
        shadow,
        rollout);
  }

  /**
   * The same service with other canary weights, checked as the config file's are ({@link Weights}):
   * every track named, each 0..100, summing to 100.
   */
  public ServiceConfig withWeights(Weights weights) {
    if (strategy != Strategy.CANARY) {
      throw ConfigException.of(
          "",
          "service "
              + name
              + " is "
              + strategy.yamlName()
              + ": it has an active track, "
              + "not weights; use promote or rollback");
    }
    if (!weights
        .byTrack()
        .keySet()
        .equals(new LinkedHashSet<>(tracks.stream().map(TrackConfig::name).toList()))) {
      throw ConfigException.of(
          "",
          "weights "
              + weights.byTrack()
              + " do not fit the tracks "
              + tracks.stream().map(TrackConfig::name).toList());
    }
    List<TrackConfig> changed = new ArrayList<>();
    for (TrackConfig t : tracks) {
      changed.add(t.withWeight(weights.byTrack().get(t.name())));
    }
    return withTracks(changed);
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
