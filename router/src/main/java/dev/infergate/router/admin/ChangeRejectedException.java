package dev.infergate.router.admin;

/** An operator change that is not valid; the message is the reason given with the 400. */
public class ChangeRejectedException extends Exception {
  public ChangeRejectedException(String message) {
    super(message, null, false, false);
  }
}
