package dev.infergate.router.admin;

import dev.infergate.router.config.RouterConfig;
import dev.infergate.router.config.ServiceConfig;
import dev.infergate.router.routing.RoutingState;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.logging.Logger;

/**
 * The one place that decides what the router routes by: the config file's services with the
 * operator's changes laid over them. An operator change is validated, persisted to the state file
 * (so it survives a restart), applied atomically through {@link RoutingState#apply} and audit-logged,
 * in that order: a change that cannot be saved is not applied. A config file reload keeps the
 * operator's weights and active tracks until an operator resets them. Serialised; blocking (file
 * writes with fsync): call from worker threads.
 */
public final class RolloutControl {
  private static final Logger LOG = Logger.getLogger(RolloutControl.class.getName());

  private final RoutingState routing;
  private final StateFile stateFile;
  private final AuditLog audit;
  private RouterConfig fileConfig;
  /** Written under the lock, read without it (the admin API's GETs run on an event loop). */
  private volatile OperatorState operator;

  private RolloutControl(RoutingState routing, StateFile stateFile, AuditLog audit, RouterConfig fileConfig,
      OperatorState operator) {
    this.routing = routing;
    this.stateFile = stateFile;
    this.audit = audit;
    this.fileConfig = fileConfig;
    this.operator = operator;
  }

  /** Restores the saved operator state and applies it over {@code fileConfig}. */
  public static RolloutControl start(RoutingState routing, RouterConfig fileConfig, StateFile stateFile,
      AuditLog audit) throws IOException {
    OperatorState saved = stateFile.load();
    if (!saved.overrides().isEmpty()) {
      LOG.info("restored operator changes from " + stateFile.path() + ": " + saved.overrides().keySet()
          + " (they win over the config file until reset)");
    }
    RolloutControl control = new RolloutControl(routing, stateFile, audit, fileConfig, saved);
    routing.apply(RoutingChanges.effective(fileConfig, saved));
    return control;
  }

  /** The config file changed (hot reload): apply it with the operator's changes on top. */
  public synchronized void fileChanged(RouterConfig next) {
    fileConfig = next;
    routing.apply(RoutingChanges.effective(next, operator));
  }

  /** The operator's current change to {@code service}, or null when the file's values apply. Non-blocking. */
  public ServiceOverride override(String service) {
    return operator.override(service);
  }

  /** {@code PUT /admin/services/{name}/weights}. */
  public synchronized JsonObject setWeights(String service, JsonObject body, String subject)
      throws ChangeRejectedException, IOException {
    ServiceConfig file = fileService(service);
    return change(service, "weights", RoutingChanges.weights(file, body), subject);
  }

  /** {@code POST /admin/services/{name}/promote}: blue-green switches active; canary takes 100. */
  public synchronized JsonObject promote(String service, String subject) throws ChangeRejectedException, IOException {
    fileService(service);
    return change(service, "promote", RoutingChanges.promote(effectiveService(service)), subject);
  }

  /** {@code POST /admin/services/{name}/rollback}: back to the state before the last change. */
  public synchronized JsonObject rollback(String service, String subject) throws ChangeRejectedException, IOException {
    fileService(service);
    OperatorState next = operator.rolledBack(service);
    if (next == null) {
      throw new NothingToUndoException("service " + service + " has no earlier change to roll back to");
    }
    return commit(service, "rollback", next, subject);
  }

  /** {@code POST /admin/services/{name}/reset}: drop the operator's change; the file's values apply. */
  public synchronized JsonObject reset(String service, String subject) throws ChangeRejectedException, IOException {
    fileService(service);
    if (operator.override(service) == null) {
      throw new NothingToUndoException("service " + service + " already runs on the config file's values");
    }
    return change(service, "reset", null, subject);
  }

  private JsonObject change(String service, String action, ServiceOverride next, String subject) throws IOException {
    return commit(service, action, operator.with(service, next), subject);
  }

  private JsonObject commit(String service, String action, OperatorState next, String subject) throws IOException {
    JsonObject before = RoutingChanges.describe(effectiveService(service));
    stateFile.save(next);
    operator = next;
    routing.apply(RoutingChanges.effective(fileConfig, next));
    JsonObject after = RoutingChanges.describe(effectiveService(service));
    audit.record(subject, action, service, before, after);
    return after;
  }

  private ServiceConfig fileService(String service) throws ChangeRejectedException {
    ServiceConfig s = fileConfig.services().get(service);
    if (s == null) {
      throw new UnknownServiceException(service);
    }
    return s;
  }

  private ServiceConfig effectiveService(String service) {
    return routing.current().service(service).config();
  }

  /** Rollback or reset with nothing to go back to (409: the request is fine, the state is not). */
  public static final class NothingToUndoException extends ChangeRejectedException {
    NothingToUndoException(String message) {
      super(message);
    }
  }

  /** The change names a service the router does not have (404, not 400). */
  public static final class UnknownServiceException extends ChangeRejectedException {
    UnknownServiceException(String service) {
      super("unknown service '" + service + "'");
    }
  }
}
