package dev.infergate.router.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Canary weights by track, in declaration order: each 0..100 percent, all summing to 100.
 *
 * <p>The one home of that rule. The config file's tracks ({@link ServiceConfig}), an operator's
 * {@code PUT /admin/services/{name}/weights}, the state file and the track split all hold or build
 * a {@code Weights}, so none of them can disagree on what a valid split is. Errors name the track
 * ({@code canary: must be 0..100, was 120}; see {@link ConfigException} for how the caller adds its
 * path).
 */
public record Weights(Map<String, Integer> byTrack) {
  /** The weights of a service's tracks always add up to this: they are percentages. */
  public static final int TOTAL = 100;

  public Weights {
    if (byTrack.isEmpty()) {
      throw ConfigException.of("", "must name at least one track, was {}");
    }
    int sum = 0;
    for (Map.Entry<String, Integer> e : byTrack.entrySet()) {
      checkPercent(e.getKey(), e.getValue());
      sum += e.getValue();
    }
    if (sum != TOTAL) {
      throw ConfigException.of("", "weights must sum to " + TOTAL + ", they sum to " + sum);
    }
    byTrack = Collections.unmodifiableMap(new LinkedHashMap<>(byTrack));
  }

  /** The weights of a canary service's tracks. */
  public static Weights of(List<TrackConfig> tracks) {
    Map<String, Integer> byTrack = new LinkedHashMap<>();
    tracks.forEach(t -> byTrack.put(t.name(), t.weight()));
    return new Weights(byTrack);
  }

  /** One track's weight on its own: 0..{@value #TOTAL}. */
  static void checkPercent(String field, int weight) {
    if (weight < 0 || weight > TOTAL) {
      throw ConfigException.of(field, "must be 0.." + TOTAL + ", was " + weight);
    }
  }

  /** The weights in declaration order. */
  public List<Integer> inOrder() {
    return new ArrayList<>(byTrack.values());
  }
}
