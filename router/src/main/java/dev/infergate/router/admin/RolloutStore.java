package dev.infergate.router.admin;

import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * Where the rollout driver's transitions are persisted and read back: this router's state file
 * ({@link RolloutControl}) or, with {@code cluster}, the routing state every replica shares in
 * Redis, so that a replica taking a rollout over goes on from the step the previous driver
 * persisted. It lives here, beside {@link OperatorChanges}, so that admin and cluster implement it
 * without a package cycle.
 *
 * <p>Threading: {@link #rollouts} never blocks and may be called from any thread; {@link #commit}
 * blocks (file writes, a Redis round trip): call it from a worker. Errors are the admin API's:
 * {@link ChangeRejectedException} (400, its subclasses 404/409), {@link StoreUnavailableException}
 * (503), {@link RolloutControl.ChangeNotRecordedException} (500); nothing changed when one is
 * thrown.
 */
public interface RolloutStore {
  /** Every service's persisted rollout state (copies), as this replica knows it now. */
  Map<String, JsonObject> rollouts();

  /**
   * Persists one transition: {@code service}'s new rollout state and, when it moves them, every
   * track's new weight, as one audited change by {@code subject}, then puts it in force.
   *
   * @param basedOn the persisted state the transition was computed from (null: none); a store
   *     shared by several replicas refuses the commit with a 409 when the persisted state is no
   *     longer that
   * @param weights every track's new weight, or null to leave the weights as they are
   */
  void commit(
      String service,
      String action,
      JsonObject basedOn,
      JsonObject rollout,
      Map<String, Integer> weights,
      String subject)
      throws ChangeRejectedException,
          StoreUnavailableException,
          RolloutControl.ChangeNotRecordedException;
}
