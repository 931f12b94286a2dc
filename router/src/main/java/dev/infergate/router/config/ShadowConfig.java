package dev.infergate.router.config;

import java.util.Set;

/**
 * A service's {@code shadow} block: a copy of {@code percent} % of the inference requests that
 * other tracks served with a 2xx also goes to {@code track}, and the router compares the two
 * answers (DESIGN.md "Shadow, rollouts, cluster"). Valid by construction; errors name the field
 * relative to the block. Whether {@code track} is one of the service's tracks is checked by {@link
 * ServiceConfig}.
 *
 * @param track the track that gets the copies (its own endpoints, version pin and breakers)
 * @param percent share of eligible requests copied, 0..100 (decimals allowed: 0.5 is one in 200)
 * @param tolerance relative tolerance for float outputs compared element by element: {@code |live -
 *     shadow| <= tolerance * max(1, |live|)}
 * @param maxQueued copies waiting or in flight per service (all event loops together); more are
 *     dropped
 */
public record ShadowConfig(String track, double percent, double tolerance, int maxQueued) {
  static final Set<String> KEYS = Set.of("track", "percent", "tolerance", "maxQueued");
  public static final double DEFAULT_TOLERANCE = 0.001;
  public static final int DEFAULT_MAX_QUEUED = 1000;

  /** A cap on the cap: every copy may hold up to two answers of 1 MiB while it is compared. */
  static final int MAX_MAX_QUEUED = 100_000;

  public ShadowConfig {
    if (track == null) {
      throw ConfigException.of("track", "required");
    }
    if (!(percent >= 0 && percent <= 100)) {
      throw ConfigException.of("percent", "must be 0..100, was " + number(percent));
    }
    if (!(tolerance >= 0 && tolerance <= 1)) {
      throw ConfigException.of("tolerance", "must be 0..1, was " + number(tolerance));
    }
    Names.checkRange("maxQueued", maxQueued, 1, MAX_MAX_QUEUED);
  }

  /**
   * Reads {@code services.NAME.shadow}'s shape; the values are checked here, and the track against
   * the service's tracks by {@link ServiceConfig}.
   */
  static ShadowConfig parse(YamlMap m) throws ConfigException {
    m.rejectUnknown(KEYS);
    String track = m.string("track", null);
    if (!m.has("percent")) {
      throw new ConfigException(m.field("percent") + ": required");
    }
    double percent = m.decimal("percent", Double.NaN);
    double tolerance = m.decimal("tolerance", DEFAULT_TOLERANCE);
    int maxQueued = m.int32("maxQueued", DEFAULT_MAX_QUEUED);
    return ConfigException.at(
        m.path(), () -> new ShadowConfig(track, percent, tolerance, maxQueued));
  }

  /** {@code 120} rather than {@code 120.0}, as it was written in the file. */
  private static String number(double d) {
    return d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 1e15
        ? Long.toString((long) d)
        : Double.toString(d);
  }
}
