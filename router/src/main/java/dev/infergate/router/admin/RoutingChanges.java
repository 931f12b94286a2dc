package dev.infergate.router.admin;

import dev.infergate.router.config.ConfigException;
import dev.infergate.router.config.RouterConfig;
import dev.infergate.router.config.ServiceConfig;
import dev.infergate.router.config.Strategy;
import dev.infergate.router.config.TrackConfig;
import dev.infergate.router.config.Weights;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The rules of operator changes: validating weight changes and promotions, and laying the
 * operator's overrides over the config file's services. Pure functions; thread-safe.
 */
public final class RoutingChanges {
  private static final Logger LOG = Logger.getLogger(RoutingChanges.class.getName());

  private RoutingChanges() {}

  /**
   * {@code file} with every override that still fits it applied; one that no longer fits is
   * skipped.
   */
  public static RouterConfig effective(RouterConfig file, OperatorState state) {
    Map<String, ServiceConfig> services = new LinkedHashMap<>();
    for (ServiceConfig service : file.services().values()) {
      ServiceOverride override = state.override(service.name());
      ServiceConfig applied = service;
      if (override != null) {
        try {
          applied = apply(service, override);
        } catch (ChangeRejectedException e) {
          LOG.warning(
              "the saved override of service "
                  + service.name()
                  + " no longer fits the config file ("
                  + e.getMessage()
                  + "); using the file's values");
        }
      }
      services.put(service.name(), applied);
    }
    return file.withServices(services);
  }

  /**
   * The operator state after {@code action} ({@code weights}, {@code promote}, {@code rollback} or
   * {@code reset}) on {@code service}, laid over {@code base}: the one rule both the local state
   * file and the cluster's shared state apply.
   *
   * @param body the weights for {@code weights}; ignored otherwise
   * @throws ChangeRejectedException when the change is invalid, names an unknown service ({@link
   *     RolloutControl.UnknownServiceException}) or has nothing to undo ({@link
   *     RolloutControl.NothingToUndoException})
   */
  public static OperatorState next(
      String action, String service, JsonObject body, RouterConfig file, OperatorState base)
      throws ChangeRejectedException {
    ServiceConfig configured = file.services().get(service);
    if (configured == null) {
      throw new RolloutControl.UnknownServiceException(service);
    }
    switch (action) {
      case "weights" -> {
        return base.with(service, weights(configured, body));
      }
      case "promote" -> {
        return base.with(service, promote(effective(file, base).services().get(service)));
      }
      case "rollback" -> {
        OperatorState rolledBack = base.rolledBack(service);
        if (rolledBack == null) {
          throw new RolloutControl.NothingToUndoException(
              "service " + service + " has no earlier change to roll back to");
        }
        return rolledBack;
      }
      case "reset" -> {
        if (base.override(service) == null) {
          throw new RolloutControl.NothingToUndoException(
              "service " + service + " already runs on the config file's values");
        }
        return base.with(service, null);
      }
      default -> throw new ChangeRejectedException("unknown change '" + action + "'");
    }
  }

  /**
   * Validates {@code {"stable": 80, "canary": 20}} for a canary service: the JSON shape here (known
   * tracks, integers; a track left out gets 0), the weights' rule in {@link Weights}.
   */
  public static ServiceOverride weights(ServiceConfig service, JsonObject body)
      throws ChangeRejectedException {
    if (service.strategy() != Strategy.CANARY) {
      throw new ChangeRejectedException(
          "service "
              + service.name()
              + " is blue-green: it has an active track, "
              + "not weights; use promote or rollback");
    }
    if (body == null || body.isEmpty()) {
      throw new ChangeRejectedException(
          "send the weights as a JSON object, e.g. {\"stable\": 80, \"canary\": 20}");
    }
    Map<String, Integer> weights = new LinkedHashMap<>();
    for (TrackConfig track : service.tracks()) {
      weights.put(track.name(), 0);
    }
    for (String track : body.fieldNames()) {
      if (!weights.containsKey(track)) {
        throw new ChangeRejectedException(
            "unknown track '"
                + track
                + "'; service "
                + service.name()
                + " has "
                + weights.keySet());
      }
      Object value = body.getValue(track);
      if (!(value instanceof Integer weight)) {
        throw new ChangeRejectedException(track + ": must be an integer, was " + value);
      }
      weights.put(track, weight);
    }
    try {
      return ServiceOverride.ofWeights(weights);
    } catch (ConfigException e) {
      throw new ChangeRejectedException(e.getMessage());
    }
  }

  /** Blue-green: the other track becomes active. Canary: the canary (the last track) takes 100. */
  public static ServiceOverride promote(ServiceConfig service) throws ChangeRejectedException {
    List<TrackConfig> tracks = service.tracks();
    if (service.strategy() == Strategy.BLUE_GREEN) {
      if (tracks.size() != 2) {
        throw new ChangeRejectedException(
            "promote switches between two tracks; service "
                + service.name()
                + " has "
                + tracks.size());
      }
      String other =
          tracks.get(0).name().equals(service.active())
              ? tracks.get(1).name()
              : tracks.get(0).name();
      return ServiceOverride.ofActive(other);
    }
    String canary = tracks.get(tracks.size() - 1).name();
    Map<String, Integer> weights = new LinkedHashMap<>();
    tracks.forEach(
        track -> weights.put(track.name(), track.name().equals(canary) ? Weights.TOTAL : 0));
    return ServiceOverride.ofWeights(weights);
  }

  /** What ops see of a service's routing: weights or the active track. */
  public static JsonObject describe(ServiceConfig service) {
    if (service.strategy() == Strategy.BLUE_GREEN) {
      return new JsonObject().put("active", service.active());
    }
    JsonObject weights = new JsonObject();
    service.tracks().forEach(track -> weights.put(track.name(), track.weight()));
    return new JsonObject().put("weights", weights);
  }

  static ServiceConfig apply(ServiceConfig service, ServiceOverride override)
      throws ChangeRejectedException {
    try {
      if (override.active() != null) {
        if (service.strategy() != Strategy.BLUE_GREEN) {
          throw new ChangeRejectedException(
              "active track '" + override.active() + "' does not fit");
        }
        return service.withActive(override.active());
      }
      return service.withWeights(new Weights(override.weights()));
    } catch (ConfigException e) {
      throw new ChangeRejectedException(e.getMessage());
    }
  }
}
