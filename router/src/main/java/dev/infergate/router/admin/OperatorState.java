package dev.infergate.router.admin;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The run-time routing changes of every service, with each service's earlier states for rollback.
 * These win over the config file's weights and active track until an operator resets them.
 * Immutable: every change makes a new instance.
 *
 * @param overrides the current override per service (absent: the config file's values apply)
 * @param history per service, the states before each change, oldest first; a null entry means "no
 *     override" (the config file's values)
 * @param rollouts per service, the automated rollout's persisted state (opaque here: the rollout
 *     package reads and validates it), absent when none ever ran
 */
public record OperatorState(
    Map<String, ServiceOverride> overrides,
    Map<String, List<ServiceOverride>> history,
    Map<String, JsonObject> rollouts) {
  /** Rollback depth kept per service. */
  static final int MAX_HISTORY = 20;

  public static final OperatorState EMPTY = new OperatorState(Map.of(), Map.of(), Map.of());

  public OperatorState {
    overrides = Map.copyOf(overrides);
    Map<String, List<ServiceOverride>> copy = new LinkedHashMap<>();
    history.forEach(
        (service, states) ->
            copy.put(service, java.util.Collections.unmodifiableList(new ArrayList<>(states))));
    history = Map.copyOf(copy);
    Map<String, JsonObject> rolloutCopies = new LinkedHashMap<>();
    rollouts.forEach((service, state) -> rolloutCopies.put(service, state.copy()));
    rollouts = java.util.Collections.unmodifiableMap(rolloutCopies);
  }

  /** The saved rollout state of {@code service} (a copy), or null. */
  public JsonObject rollout(String service) {
    JsonObject saved = rollouts.get(service);
    return saved == null ? null : saved.copy();
  }

  /** The same with {@code service}'s rollout state replaced. */
  OperatorState withRollout(String service, JsonObject rollout) {
    Map<String, JsonObject> next = new LinkedHashMap<>(rollouts);
    next.put(service, rollout);
    return new OperatorState(overrides, history, next);
  }

  public ServiceOverride override(String service) {
    return overrides.get(service);
  }

  /** Sets {@code service}'s override (null: none), remembering the one it replaces. */
  public OperatorState with(String service, ServiceOverride next) {
    List<ServiceOverride> states = new ArrayList<>(history.getOrDefault(service, List.of()));
    states.add(overrides.get(service));
    if (states.size() > MAX_HISTORY) {
      states.remove(0);
    }
    return replaced(service, next, states);
  }

  /** Back to the state before the last change of {@code service}; null if there was none. */
  OperatorState rolledBack(String service) {
    List<ServiceOverride> states = history.getOrDefault(service, List.of());
    if (states.isEmpty()) {
      return null;
    }
    return replaced(service, states.get(states.size() - 1), states.subList(0, states.size() - 1));
  }

  private OperatorState replaced(
      String service, ServiceOverride override, List<ServiceOverride> states) {
    Map<String, ServiceOverride> nextOverrides = new LinkedHashMap<>(overrides);
    if (override == null) {
      nextOverrides.remove(service);
    } else {
      nextOverrides.put(service, override);
    }
    Map<String, List<ServiceOverride>> nextHistory = new LinkedHashMap<>(history);
    nextHistory.put(service, states);
    return new OperatorState(nextOverrides, nextHistory, rollouts);
  }

  /**
   * The state file's JSON shape ({@code version}, {@code services}); {@link StateFile#decode} reads
   * it back.
   */
  public JsonObject toJson() {
    JsonObject services = new JsonObject();
    for (String service : union()) {
      JsonObject entry = new JsonObject();
      ServiceOverride current = overrides.get(service);
      if (current != null) {
        entry.put("override", current.toJson());
      }
      JsonArray previous = new JsonArray();
      for (ServiceOverride state : history.getOrDefault(service, List.of())) {
        previous.add(state == null ? null : state.toJson());
      }
      entry.put("history", previous);
      if (rollouts.containsKey(service)) {
        entry.put("rollout", rollouts.get(service).copy());
      }
      services.put(service, entry);
    }
    return new JsonObject().put("version", 1).put("services", services);
  }

  private List<String> union() {
    List<String> names = new ArrayList<>(overrides.keySet());
    history.keySet().stream().filter(name -> !names.contains(name)).forEach(names::add);
    rollouts.keySet().stream().filter(name -> !names.contains(name)).forEach(names::add);
    names.sort(String::compareTo);
    return names;
  }
}
