package dev.infergate.router.config;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code auth} block: where the keys come from, which tokens are acceptable, and which claims
 * make the consumer. Immutable; validated by {@link #parse}.
 *
 * @param jwks {@code file:PATH} (watched) or {@code https://...} ({@code http://} only for
 *     loopback, for tests)
 * @param algorithms allowed JWS algorithms; HS256 only together with {@code hmacSecretFile}
 * @param hmacSecretFile file holding the HS256 shared secret (a Kubernetes Secret mount), or null
 * @param jwksRefreshSeconds how often a remote JWKS is refetched (and a file JWKS checked for
 *     changes)
 * @param maxTokenBytes longer bearer tokens are refused before any parsing (401); the public
 *     listener admits header blocks of up to this plus {@link #OTHER_HEADER_BYTES}, so a token
 *     under the limit always reaches the check
 */
public record AuthConfig(
    String jwks,
    String issuer,
    String audience,
    Set<String> algorithms,
    long leewaySeconds,
    String rolesClaim,
    String adminRole,
    String overrideRole,
    String planClaim,
    String hmacSecretFile,
    long jwksRefreshSeconds,
    int maxTokenBytes) {

  public static final Set<String> SUPPORTED_ALGORITHMS = Set.of("RS256", "ES256", "PS256", "HS256");
  public static final long DEFAULT_LEEWAY_SECONDS = 30;
  public static final long DEFAULT_JWKS_REFRESH_SECONDS = 300;
  public static final int DEFAULT_MAX_TOKEN_BYTES = 8192;

  /** Room for every header but the token (Vert.x's own default for the whole block is 8 KiB). */
  public static final int OTHER_HEADER_BYTES = 16_384;

  static final Set<String> KEYS =
      Set.of(
          "jwks",
          "issuer",
          "audience",
          "algorithms",
          "leewaySeconds",
          "rolesClaim",
          "adminRole",
          "overrideRole",
          "planClaim",
          "hmacSecretFile",
          "jwksRefreshSeconds",
          "maxTokenBytes");

  public AuthConfig {
    algorithms = Set.copyOf(algorithms);
  }

  /**
   * The public listener's limit on a request's header block: the longest token allowed plus {@link
   * #OTHER_HEADER_BYTES}; without auth, as with the default token limit. A larger block gets 431.
   */
  public static int listenerMaxHeaderBytes(AuthConfig auth) {
    return (auth == null ? DEFAULT_MAX_TOKEN_BYTES : auth.maxTokenBytes()) + OTHER_HEADER_BYTES;
  }

  public boolean jwksIsFile() {
    return jwks.startsWith("file:");
  }

  static AuthConfig parse(YamlMap auth) throws ConfigException {
    auth.rejectUnknown(KEYS);
    String jwks = auth.string("jwks", null);
    if (jwks == null || jwks.isBlank()) {
      throw new ConfigException(auth.field("jwks") + ": required (file:PATH or https://...)");
    }
    if (!jwks.startsWith("file:") && !jwks.startsWith("https://") && !isLoopbackHttp(jwks)) {
      throw new ConfigException(
          auth.field("jwks")
              + ": must be file:PATH or https://... "
              + "(http:// only on loopback), was "
              + jwks);
    }
    String issuer = required(auth, "issuer");
    String audience = required(auth, "audience");
    Set<String> algorithms = algorithms(auth);
    String hmacSecretFile = auth.optionalString("hmacSecretFile");
    if (algorithms.contains("HS256") != (hmacSecretFile != null)) {
      throw new ConfigException(
          auth.field("algorithms")
              + ": HS256 needs "
              + auth.field("hmacSecretFile")
              + " and "
              + auth.field("hmacSecretFile")
              + " needs HS256, was algorithms "
              + algorithms);
    }
    return new AuthConfig(
        jwks,
        issuer,
        audience,
        algorithms,
        auth.integer("leewaySeconds", DEFAULT_LEEWAY_SECONDS, 0, 600),
        auth.string("rolesClaim", "roles"),
        auth.string("adminRole", "infergate-admin"),
        auth.string("overrideRole", "infergate-tester"),
        auth.string("planClaim", "plan"),
        hmacSecretFile,
        auth.integer("jwksRefreshSeconds", DEFAULT_JWKS_REFRESH_SECONDS, 1, 86_400),
        (int) auth.integer("maxTokenBytes", DEFAULT_MAX_TOKEN_BYTES, 256, 1 << 20));
  }

  private static String required(YamlMap auth, String key) throws ConfigException {
    String value = auth.string(key, null);
    if (value == null || value.isBlank()) {
      throw new ConfigException(auth.field(key) + ": required");
    }
    return value;
  }

  private static Set<String> algorithms(YamlMap auth) throws ConfigException {
    List<String> listed = auth.stringList("algorithms", List.of("RS256", "ES256"));
    if (listed.isEmpty()) {
      throw new ConfigException(auth.field("algorithms") + ": must name at least one algorithm");
    }
    Set<String> algorithms = new LinkedHashSet<>();
    for (String algorithm : listed) {
      if (!SUPPORTED_ALGORITHMS.contains(algorithm)) {
        throw new ConfigException(
            auth.field("algorithms")
                + ": "
                + algorithm
                + " is not allowed (allowed: "
                + "RS256, ES256, PS256, and HS256 with a shared secret), was "
                + listed);
      }
      algorithms.add(algorithm);
    }
    return algorithms;
  }

  private static boolean isLoopbackHttp(String url) {
    return url.startsWith("http://127.0.0.1:")
        || url.startsWith("http://127.0.0.1/")
        || url.startsWith("http://localhost:")
        || url.startsWith("http://localhost/");
  }
}
