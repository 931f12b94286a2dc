package dev.infergate.router.admin;

/**
 * A valid change that the current state does not allow (409): e.g. a rollout started while one
 * runs.
 */
public class ChangeConflictException extends ChangeRejectedException {
  public ChangeConflictException(String message) {
    super(message);
  }
}
