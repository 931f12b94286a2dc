package dev.infergate.router.admin;

import io.vertx.core.json.JsonObject;

/**
 * The change was made against a version of the routing state that is no longer current (its {@code
 * If-Match}, or a concurrent change through another replica won the compare-and-set): 409, with the
 * current state so that the operator can decide again. Nothing changed.
 */
public final class VersionConflictException extends ChangeRejectedException {
  private final long currentVersion;
  private final JsonObject current;

  /**
   * @param current the service's routing now ({@link RoutingChanges#describe})
   */
  public VersionConflictException(String service, long currentVersion, JsonObject current) {
    super(
        "the routing state of service "
            + service
            + " changed meanwhile (now version "
            + currentVersion
            + "); nothing changed: look at the current state and send the change again");
    this.currentVersion = currentVersion;
    this.current = current;
  }

  public long currentVersion() {
    return currentVersion;
  }

  public JsonObject current() {
    return current.copy();
  }
}
