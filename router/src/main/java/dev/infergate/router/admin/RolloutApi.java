package dev.infergate.router.admin;

import io.vertx.core.json.JsonObject;

/**
 * The automated rollout behind {@code /admin/services/{name}/rollout[/pause|resume|abort]}. Each
 * answer is the rollout's JSON (phase, step, weights, reason, analyses).
 *
 * <p>Threading: {@link #status} is non-blocking (event loop); the changes write the audit log and
 * the state file, so the admin listener runs them on a worker. Errors: {@link
 * ChangeConflictException} (409) when the rollout's phase does not allow the change, {@link
 * ChangeRejectedException} (400) for an invalid start, {@link
 * RolloutControl.ChangeNotRecordedException} when it could not be saved (nothing changed).
 */
public interface RolloutApi {
  /** The rollout of {@code service} (phase {@code idle} when none ran). */
  JsonObject status(String service);

  /**
   * The current window's figures and verdict, for an outside controller (Argo Rollouts' web metric,
   * Flagger's webhook): the running rollout's window, or else the interval since the previous call.
   * Non-blocking.
   *
   * @throws ChangeConflictException when the service has no rollout block and no rollout runs
   */
  JsonObject analysis(String service) throws ChangeConflictException;

  /**
   * Starts a rollout with the service's {@code rollout:} block, with {@code overrides}' fields laid
   * over it.
   */
  JsonObject start(String service, JsonObject overrides, String subject) throws Exception;

  JsonObject pause(String service, String subject) throws Exception;

  JsonObject resume(String service, String subject) throws Exception;

  /** Candidate weight 0 at once; phase aborted. */
  JsonObject abort(String service, String subject) throws Exception;
}
