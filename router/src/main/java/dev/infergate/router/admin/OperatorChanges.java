package dev.infergate.router.admin;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Where the admin API's routing changes are committed, and where their audit is read: the local
 * state file ({@link LocalChanges}) or, with {@code cluster}, the state every replica shares in
 * Redis.
 *
 * <p>Threading: every method may be called on an event loop and never blocks it; the futures
 * complete on the caller's context. Errors are failed futures: {@link ChangeRejectedException}
 * (400; its subclasses {@link RolloutControl.UnknownServiceException} 404, {@link
 * RolloutControl.NothingToUndoException} and {@link VersionConflictException} 409), {@link
 * StoreUnavailableException} (503) and {@link RolloutControl.ChangeNotRecordedException} (500).
 */
public interface OperatorChanges {
  /** The operator's current change to {@code service}, or null when the file's values apply. */
  ServiceOverride override(String service);

  /** The version of the routing state in force on this replica. */
  long version();

  /**
   * Validates, records and applies one change ({@code weights}, {@code promote}, {@code rollback},
   * {@code reset}); yields the service's new routing with the new {@code version}.
   *
   * @param ifMatch the version the operator's change was based on, or null for "the newest"
   */
  Future<JsonObject> change(
      String action, String service, JsonObject body, String subject, Long ifMatch);

  /**
   * The config file changed (hot reload): routing becomes its services with the operator's changes
   * on top.
   */
  void fileChanged(dev.infergate.router.config.RouterConfig next);

  /**
   * The newest audit records, newest first, of {@code service} (null: every service), at most
   * {@code limit}.
   */
  Future<JsonArray> audit(String service, int limit);
}
