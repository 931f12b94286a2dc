package dev.infergate.router.config;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A service's {@code shadow} block: a copy of {@code percent} % of the inference requests that other
 * tracks served with a 2xx also goes to {@code track}, and the router compares the two answers
 * (DESIGN.md "Shadow, rollouts, cluster").
 *
 * @param track the track that gets the copies (its own endpoints, version pin and breakers)
 * @param percent share of eligible requests copied, 0..100 (decimals allowed: 0.5 is one in 200)
 * @param tolerance relative tolerance for float outputs compared element by element:
 *     {@code |live - shadow| <= tolerance * max(1, |live|)}
 * @param maxQueued copies waiting or in flight per service (all event loops together); more are dropped
 */
public record ShadowConfig(String track, double percent, double tolerance, int maxQueued) {
  static final Set<String> KEYS = Set.of("track", "percent", "tolerance", "maxQueued");
  public static final double DEFAULT_TOLERANCE = 0.001;
  public static final int DEFAULT_MAX_QUEUED = 1000;
  /** A cap on the cap: every copy may hold up to two answers of 1 MiB while it is compared. */
  static final int MAX_MAX_QUEUED = 100_000;

  public ShadowConfig {
    Objects.requireNonNull(track, "shadow.track");
    if (!(percent >= 0 && percent <= 100)) {
      throw new IllegalArgumentException("shadow.percent: must be 0..100, was " + percent);
    }
    if (!(tolerance >= 0 && tolerance <= 1)) {
      throw new IllegalArgumentException("shadow.tolerance: must be 0..1, was " + tolerance);
    }
    if (maxQueued < 1 || maxQueued > MAX_MAX_QUEUED) {
      throw new IllegalArgumentException("shadow.maxQueued: must be 1.." + MAX_MAX_QUEUED + ", was " + maxQueued);
    }
  }

  /**
   * Parses {@code services.NAME.shadow} against the service's tracks as the file declares them: the
   * track must exist and must not be the only one that takes live traffic (the shadow copies requests
   * that <em>other</em> tracks served). Run-time changes (weights, promote) are not held to that: a
   * shadow track that later serves everything just gets no copies.
   *
   * @param active the blue-green active track, null for canary
   */
  static ShadowConfig parse(YamlMap m, Strategy strategy, List<TrackConfig> tracks, String active)
      throws ConfigException {
    m.rejectUnknown(KEYS);
    String track = m.string("track", null);
    List<String> names = tracks.stream().map(TrackConfig::name).toList();
    if (!names.contains(track)) {
      throw new ConfigException(m.field("track") + ": must name a track (" + String.join(", ", names)
          + "), was '" + track + "'");
    }
    boolean otherLive = strategy == Strategy.BLUE_GREEN
        ? !track.equals(active)
        : tracks.stream().anyMatch(t -> !t.name().equals(track) && t.weight() > 0);
    if (!otherLive) {
      throw new ConfigException(m.field("track") + ": '" + track + "' is the only track that serves live traffic"
          + (strategy == Strategy.BLUE_GREEN ? " (it is the active track)" : " (every other track has weight 0)")
          + "; a shadow copies what other tracks serve");
    }
    double percent = m.decimal("percent", Double.NaN, 0, 100);
    if (Double.isNaN(percent)) {
      throw new ConfigException(m.field("percent") + ": required");
    }
    double tolerance = m.decimal("tolerance", DEFAULT_TOLERANCE, 0, 1);
    int maxQueued = (int) m.integer("maxQueued", DEFAULT_MAX_QUEUED, 1, MAX_MAX_QUEUED);
    return new ShadowConfig(track, percent, tolerance, maxQueued);
  }
}
