package dev.infergate.router.admin;

/**
 * The shared routing state cannot be written now (the cluster's Redis is down or did not answer in
 * time): 503 with the reason. Nothing changed on any replica.
 */
public final class StoreUnavailableException extends Exception {
  public StoreUnavailableException(String message) {
    super(message, null, false, false);
  }
}
