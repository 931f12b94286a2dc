package dev.infergate.router.admin;

import dev.infergate.router.config.ConfigException;
import dev.infergate.router.config.RouterConfig;
import dev.infergate.router.config.ServiceConfig;
import dev.infergate.router.routing.RoutingState;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one place that decides what the router routes by: the config file's services with the
 * operator's changes laid over them. A config file reload keeps the operator's weights and active
 * tracks until an operator resets them. Serialised; blocking (file writes with fsync): call from
 * worker threads.
 *
 * <p>A change is audited if and only if it is in force. Each change is written in this order: (1)
 * the audit record, appended and fsynced, which gives it a {@code seq}; (2) the state file,
 * atomically replaced, naming that {@code seq} as the last change it holds; (3) only then published
 * to the routing table. If (1) fails, nothing happened. If (2) fails, an {@code abandoned} record
 * for that {@code seq} follows in the audit log (retried before the next change if it cannot be
 * written at once), and routing is as it was. A crash between (1) and (2) leaves an audit record
 * newer than the state file's {@code seq}: at start, {@link #start} finds every such record and
 * appends its {@code abandoned} record (if the audit log cannot be written then, the router serves
 * anyway and writes it before the next change, which fails until it can). So the state file, and so
 * routing, never holds a change the audit log lacks, and every audited change that is not in force
 * says so. The alternative, one record that is both the audit line and the state, would make the
 * audit log the database that start-up replays; a separate small state file keeps the restore
 * simple and the audit log append-only and rotatable.
 */
public final class RolloutControl implements RolloutStore {
  private static final Logger LOG = Logger.getLogger(RolloutControl.class.getName());
  static final String ABANDONED_NOT_SAVED =
      "the state file could not be saved; the change was not applied";
  static final String ABANDONED_AT_START =
      "the router stopped before saving the state file; the change was not applied";

  private final RoutingState routing;
  private final StateFile stateFile;
  private final AuditLog audit;
  private RouterConfig fileConfig;

  /** Written under the lock, read without it (the admin API's GETs run on an event loop). */
  private volatile OperatorState operator;

  /** Every service's operator change as restored or last made on this router. Non-blocking. */
  public OperatorState operatorState() {
    return operator;
  }

  /** The audit {@code seq} of the last change in force; read without the lock. */
  private volatile long version;

  /**
   * Audited changes not in force whose abandoned records could not be written yet: written before
   * the next change.
   */
  private final List<JsonObject> unresolved = new ArrayList<>();

  private RolloutControl(
      RoutingState routing,
      StateFile stateFile,
      AuditLog audit,
      RouterConfig fileConfig,
      StateFile.Saved saved) {
    this.routing = routing;
    this.stateFile = stateFile;
    this.audit = audit;
    this.fileConfig = fileConfig;
    this.operator = saved.state();
    this.version = saved.auditSeq();
  }

  /**
   * Removes temporary files an interrupted save left, restores the saved operator state, marks
   * audited changes that never reached it as abandoned, and applies it over {@code fileConfig}.
   *
   * @throws ConfigException when the state file is invalid (the router does not start)
   * @throws IOException when the state file or the audit log cannot be read, or the audit log not
   *     written
   */
  public static RolloutControl start(
      RoutingState routing, RouterConfig fileConfig, StateFile stateFile, AuditLog audit)
      throws IOException, ConfigException {
    stateFile.removeStaleTemporaryFiles();
    StateFile.Saved saved = stateFile.load();
    RolloutControl control = new RolloutControl(routing, stateFile, audit, fileConfig, saved);
    for (JsonObject lost : audit.open(saved.auditSeq())) {
      LOG.warning(
          "audited change seq "
              + lost.getLong("seq")
              + " ("
              + lost.getString("action")
              + " of service "
              + lost.getString("service")
              + ") never reached the state file; recording it as abandoned");
      control.unresolved.add(
          new JsonObject()
              .put("seq", lost.getLong("seq"))
              .put("service", lost.getString("service"))
              .put("reason", ABANDONED_AT_START));
    }
    try {
      control.resolvePending();
    } catch (IOException e) {
      // Serving does not need the audit log; changes do, and they retry this first.
      LOG.warning(
          "cannot write to the audit log "
              + audit.path()
              + " ("
              + e
              + "); operator changes will fail until it can be");
    }
    if (!saved.state().overrides().isEmpty()) {
      LOG.info(
          "restored operator changes from "
              + stateFile.path()
              + ": "
              + saved.state().overrides().keySet()
              + " (they win over the config file until reset)");
    }
    routing.apply(RoutingChanges.effective(fileConfig, saved.state()));
    return control;
  }

  /** The config file changed (hot reload): apply it with the operator's changes on top. */
  public synchronized void fileChanged(RouterConfig next) {
    fileConfig = next;
    routing.apply(RoutingChanges.effective(next, operator));
  }

  /**
   * The operator's current change to {@code service}, or null when the file's values apply.
   * Non-blocking.
   */
  public ServiceOverride override(String service) {
    return operator.override(service);
  }

  /**
   * The audit {@code seq} of the last change in force (0: none yet): the state's version.
   * Non-blocking.
   */
  public long version() {
    return version;
  }

  /** {@code PUT /admin/services/{name}/weights}. */
  public JsonObject setWeights(String service, JsonObject body, String subject)
      throws ChangeRejectedException, ChangeNotRecordedException {
    return change("weights", service, body, subject, null);
  }

  /** {@code POST /admin/services/{name}/promote}: blue-green switches active; canary takes 100. */
  public JsonObject promote(String service, String subject)
      throws ChangeRejectedException, ChangeNotRecordedException {
    return change("promote", service, null, subject, null);
  }

  /** {@code POST /admin/services/{name}/rollback}: back to the state before the last change. */
  public JsonObject rollback(String service, String subject)
      throws ChangeRejectedException, ChangeNotRecordedException {
    return change("rollback", service, null, subject, null);
  }

  /**
   * {@code POST /admin/services/{name}/reset}: drop the operator's change; the file's values apply.
   */
  public JsonObject reset(String service, String subject)
      throws ChangeRejectedException, ChangeNotRecordedException {
    return change("reset", service, null, subject, null);
  }

  /**
   * One operator change ({@link RoutingChanges#next}), recorded and applied; answers the service's
   * new routing with the new {@code version}.
   *
   * @param ifMatch the version the operator saw ({@code If-Match}); null applies to the newest
   *     state
   * @throws VersionConflictException when {@code ifMatch} is not the current version
   */
  public synchronized JsonObject change(
      String action, String service, JsonObject body, String subject, Long ifMatch)
      throws ChangeRejectedException, ChangeNotRecordedException {
    if (ifMatch != null && ifMatch != version) {
      fileService(service);
      throw new VersionConflictException(
          service, version, RoutingChanges.describe(effectiveService(service)));
    }
    return commit(
        service, action, RoutingChanges.next(action, service, body, fileConfig, operator), subject);
  }

  /**
   * The saved state of {@code service}'s automated rollout, or null when none ever ran.
   * Non-blocking.
   */
  public JsonObject savedRollout(String service) {
    return operator.rollout(service);
  }

  /** The services with a saved automated rollout state. Non-blocking. */
  public java.util.Set<String> savedRollouts() {
    return operator.rollouts().keySet();
  }

  @Override
  public java.util.Map<String, JsonObject> rollouts() {
    java.util.Map<String, JsonObject> copies = new java.util.LinkedHashMap<>();
    operator.rollouts().forEach((service, state) -> copies.put(service, state.copy()));
    return copies;
  }

  /**
   * One router owns its state file: {@code basedOn} is always what it holds (the driver is
   * serialised).
   */
  @Override
  public void commit(
      String service,
      String action,
      JsonObject basedOn,
      JsonObject rollout,
      java.util.Map<String, Integer> weights,
      String subject)
      throws ChangeRejectedException, ChangeNotRecordedException {
    rolloutChange(service, action, rollout, weights, subject);
  }

  /**
   * A transition of {@code service}'s automated rollout: its new state and, when it moves them, new
   * weights, audited as one change by {@code subject} ({@code rollout} for automatic ones), saved
   * in the state file, then put in force, exactly as an operator's weight change.
   *
   * @param weights every track's new weight, or null to leave the weights as they are
   */
  public synchronized JsonObject rolloutChange(
      String service,
      String action,
      JsonObject rollout,
      java.util.Map<String, Integer> weights,
      String subject)
      throws ChangeRejectedException, ChangeNotRecordedException {
    ServiceConfig file = fileService(service);
    OperatorState next = operator;
    if (weights != null) {
      JsonObject body = new JsonObject();
      weights.forEach(body::put);
      next = next.with(service, RoutingChanges.weights(file, body));
    }
    return commit(service, action, next.withRollout(service, rollout), subject);
  }

  private JsonObject commit(String service, String action, OperatorState next, String subject)
      throws ChangeNotRecordedException {
    JsonObject before =
        withRollout(RoutingChanges.describe(effectiveService(service)), operator.rollout(service));
    RouterConfig effective = RoutingChanges.effective(fileConfig, next);
    JsonObject after =
        withRollout(
            RoutingChanges.describe(effective.services().get(service)), next.rollout(service));
    long seq;
    try {
      resolvePending();
      seq = audit.record(subject, action, service, before, after);
    } catch (IOException e) {
      throw new ChangeNotRecordedException("cannot write the audit log " + audit.path(), e);
    }
    try {
      stateFile.save(next, seq);
    } catch (IOException e) {
      unresolved.add(
          new JsonObject()
              .put("seq", seq)
              .put("service", service)
              .put("reason", ABANDONED_NOT_SAVED));
      try {
        resolvePending();
      } catch (IOException again) {
        LOG.log(
            Level.WARNING,
            "cannot record audited change seq "
                + seq
                + " as abandoned yet; retried before "
                + "the next change and at start",
            again);
      }
      throw new ChangeNotRecordedException("cannot save the state file " + stateFile.path(), e);
    }
    operator = next;
    version = seq;
    routing.apply(effective);
    return after.copy().put("version", seq);
  }

  /**
   * The audit view of a rollout: phase, step and reason (the figures stay in the state file and the
   * API).
   */
  public static JsonObject withRollout(JsonObject routing, JsonObject rollout) {
    if (rollout == null) {
      return routing;
    }
    return routing.put(
        "rollout",
        new JsonObject()
            .put("phase", rollout.getValue("phase"))
            .put("step", rollout.getValue("step"))
            .put("reason", rollout.getValue("reason")));
  }

  /** Writes the abandoned records of audited changes that are not in force. */
  private void resolvePending() throws IOException {
    while (!unresolved.isEmpty()) {
      JsonObject lost = unresolved.get(0);
      audit.abandon(lost.getLong("seq"), lost.getString("service"), lost.getString("reason"));
      unresolved.remove(0);
    }
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

  /**
   * The change could not be written to the audit log or the state file; nothing changed. The
   * message names the file, for the log; clients get {@link #CLIENT_MESSAGE}.
   */
  public static final class ChangeNotRecordedException extends Exception {
    public static final String CLIENT_MESSAGE =
        "the change could not be recorded (audit log or state file not writable); nothing changed, routing is as it was";

    ChangeNotRecordedException(String message, IOException cause) {
      super(message + ": " + cause, cause);
    }
  }

  /** Rollback or reset with nothing to go back to (409: the request is fine, the state is not). */
  public static final class NothingToUndoException extends ChangeRejectedException {
    public NothingToUndoException(String message) {
      super(message);
    }
  }

  /** The change names a service the router does not have (404, not 400). */
  public static final class UnknownServiceException extends ChangeRejectedException {
    public UnknownServiceException(String service) {
      super("unknown service '" + service + "'");
    }
  }
}
