package dev.infergate.router.auth;

/**
 * {@code WWW-Authenticate} values for bearer tokens (RFC 6750 §3), for the proxy and the admin API.
 */
public final class BearerChallenge {
  private BearerChallenge() {}

  /** No token was sent: the challenge names the realm only (RFC 6750 §3.1). */
  public static String missing(String realm) {
    return "Bearer realm=\"" + realm + "\"";
  }

  /** A token was sent and refused; the description says why (never the token). */
  public static String invalidToken(String realm, String description) {
    return missing(realm)
        + ", error=\"invalid_token\", error_description=\""
        + quotable(description)
        + "\"";
  }

  /** A valid token lacks the role the resource needs. */
  public static String insufficientScope(String realm, String role) {
    return missing(realm)
        + ", error=\"insufficient_scope\", error_description=\"needs role "
        + quotable(role)
        + "\"";
  }

  private static String quotable(String text) {
    return text.replace('"', '\'').replace('\\', '/');
  }
}
