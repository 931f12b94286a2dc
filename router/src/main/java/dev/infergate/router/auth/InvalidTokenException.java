package dev.infergate.router.auth;

/**
 * A token was refused. The description goes to the client in {@code WWW-Authenticate} (RFC 6750
 * {@code error_description}), so it never contains the token itself.
 */
public final class InvalidTokenException extends Exception {
  public InvalidTokenException(String description) {
    super(description, null, false, false);
  }
}
