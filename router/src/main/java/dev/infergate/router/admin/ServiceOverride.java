package dev.infergate.router.admin;

import dev.infergate.router.config.Weights;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * What an operator set for one service at run time, on top of the config file: canary weights by
 * track, or the active blue-green track. Immutable; weights are valid {@link Weights} (each 0..100,
 * sum 100) or the constructor throws {@link dev.infergate.router.config.ConfigException}.
 */
public record ServiceOverride(Map<String, Integer> weights, String active) {
  public ServiceOverride {
    weights = weights == null ? null : new Weights(weights).byTrack();
  }

  public static ServiceOverride ofWeights(Map<String, Integer> weights) {
    return new ServiceOverride(weights, null);
  }

  public static ServiceOverride ofActive(String active) {
    return new ServiceOverride(null, active);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject();
    if (weights != null) {
      JsonObject w = new JsonObject();
      weights.forEach(w::put);
      json.put("weights", w);
    }
    if (active != null) {
      json.put("active", active);
    }
    return json;
  }
}
