package dev.infergate.router.cluster;

import dev.infergate.router.admin.OperatorState;
import dev.infergate.router.admin.StateFile;
import dev.infergate.router.config.ConfigException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One version of the routing state every replica shares: the operator's changes (weights, active
 * tracks, with their rollback history) and the rollout drivers' state per service, which a change
 * of either kind carries over untouched. Stored in Redis as JSON {@code {"operator": ...,
 * "rollouts": ...}} beside its version. Immutable.
 *
 * @param version 0 for "not in Redis yet", then +1 per change
 * @param rollouts per service, the rollout driver's persisted state (opaque here)
 */
public record SharedState(long version, OperatorState operator, JsonObject rollouts) {
  public SharedState {
    rollouts = rollouts == null ? new JsonObject() : rollouts.copy();
  }

  @Override
  public JsonObject rollouts() {
    return rollouts.copy();
  }

  /** The rollout states as copies by service. */
  public Map<String, JsonObject> rolloutsByService() {
    Map<String, JsonObject> states = new LinkedHashMap<>();
    rollouts.forEach(e -> states.put(e.getKey(), ((JsonObject) e.getValue()).copy()));
    return states;
  }

  public SharedState withOperator(OperatorState next) {
    return new SharedState(version, next, rollouts);
  }

  /** The same state with {@code service}'s rollout state replaced (null removes it). */
  public SharedState withRollout(String service, JsonObject rollout) {
    JsonObject next = rollouts.copy();
    if (rollout == null) {
      next.remove(service);
    } else {
      next.put(service, rollout.copy());
    }
    return new SharedState(version, operator, next);
  }

  String encode() {
    return new JsonObject().put("operator", operator.toJson()).put("rollouts", rollouts).encode();
  }

  /**
   * Reads a state Redis holds, validated as strictly as a state file: a bad one is refused (the
   * replica keeps what it serves) rather than half applied.
   */
  static SharedState decode(long version, String json, String source) throws ConfigException {
    JsonObject document;
    try {
      document = new JsonObject(json);
    } catch (DecodeException | ClassCastException e) {
      throw new ConfigException(source + ": not a JSON object");
    }
    if (!(document.getValue("operator") instanceof JsonObject operator)) {
      throw new ConfigException(source + ": operator: must be a JSON object");
    }
    Object rollouts = document.getValue("rollouts", new JsonObject());
    if (!(rollouts instanceof JsonObject rolloutStates)) {
      throw new ConfigException(source + ": rollouts: must be a JSON object, was " + rollouts);
    }
    return new SharedState(
        version, StateFile.decode(operator, source + ": operator").state(), rolloutStates);
  }
}
