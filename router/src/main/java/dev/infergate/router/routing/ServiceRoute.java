package dev.infergate.router.routing;

import dev.infergate.router.config.ServiceConfig;
import dev.infergate.router.upstream.RetryBudget;
import java.util.List;

/**
 * One service in a routing snapshot: tracks, the bucket split among them, the fallback track and
 * the retry budget. Immutable (the budget's counters aside); thread-safe.
 */
public final class ServiceRoute {
  private final ServiceConfig config;
  private final TrackRoute[] tracks;
  private final TrackSplit split;
  private final TrackRoute fallback;
  private final RetryBudget budget;

  ServiceRoute(
      ServiceConfig config, List<TrackRoute> tracks, TrackSplit split, RetryBudget budget) {
    this.config = config;
    this.tracks = tracks.toArray(new TrackRoute[0]);
    this.split = split;
    this.budget = budget;
    TrackRoute fb = null;
    for (TrackRoute t : this.tracks) {
      if (t.name().equals(config.fallbackTrack())) {
        fb = t;
      }
    }
    this.fallback = fb;
  }

  public String name() {
    return config.name();
  }

  public ServiceConfig config() {
    return config;
  }

  public List<TrackRoute> tracks() {
    return List.of(tracks);
  }

  public TrackSplit split() {
    return split;
  }

  /** The track that owns this consumer bucket. */
  public TrackRoute trackFor(int bucket) {
    return tracks[split.track(bucket)];
  }

  /** The track of that name, or null. */
  public TrackRoute track(String name) {
    for (TrackRoute t : tracks) {
      if (t.name().equals(name)) {
        return t;
      }
    }
    return null;
  }

  /** The fallback track, or null when none is configured. */
  public TrackRoute fallback() {
    return fallback;
  }

  public RetryBudget budget() {
    return budget;
  }
}
