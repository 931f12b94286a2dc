package dev.infergate.router.testsupport;

import java.nio.file.Path;

/**
 * The {@code auth:} block of test configs: a watched JWKS file and the test issuer and audience.
 */
public final class AuthYaml {
  public static final String ADMIN_ROLE = "infergate-admin";
  public static final String OVERRIDE_ROLE = "infergate-tester";

  private AuthYaml() {}

  public static String auth(Path jwks) {
    return "auth:\n"
        + "  jwks: file:"
        + jwks
        + "\n"
        + "  issuer: "
        + TestTokens.ISSUER
        + "\n"
        + "  audience: "
        + TestTokens.AUDIENCE
        + "\n"
        + "  algorithms: [RS256, ES256, PS256]\n"
        + "  leewaySeconds: 5\n"
        + "  adminRole: "
        + ADMIN_ROLE
        + "\n"
        + "  overrideRole: "
        + OVERRIDE_ROLE
        + "\n";
  }
}
