package dev.infergate.router.admin;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * One router on its own: changes go to {@link RolloutControl} (state file, audit.jsonl) on a worker
 * thread.
 */
public final class LocalChanges implements OperatorChanges {
  private final Vertx vertx;
  private final RolloutControl control;
  private final AuditLog audit;

  public LocalChanges(Vertx vertx, RolloutControl control, AuditLog audit) {
    this.vertx = vertx;
    this.control = control;
    this.audit = audit;
  }

  @Override
  public ServiceOverride override(String service) {
    return control.override(service);
  }

  @Override
  public long version() {
    return control.version();
  }

  @Override
  public Future<JsonObject> change(
      String action, String service, JsonObject body, String subject, Long ifMatch) {
    // It writes the audit log and the state file with fsync.
    return vertx.executeBlocking(
        () -> control.change(action, service, body, subject, ifMatch), false);
  }

  @Override
  public void fileChanged(dev.infergate.router.config.RouterConfig next) {
    control.fileChanged(next);
  }

  @Override
  public Future<JsonArray> audit(String service, int limit) {
    return vertx.executeBlocking(() -> audit.recent(service, limit), false);
  }
}
