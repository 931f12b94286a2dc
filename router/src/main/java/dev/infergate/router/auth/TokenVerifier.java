package dev.infergate.router.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.source.ImmutableSecret;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.infergate.router.config.AuthConfig;
import java.text.ParseException;
import java.util.Collection;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Verifies a JWT's signature and claims with nimbus-jose-jwt. Keys are selected by the configured
 * algorithms only, so a token cannot choose its own verification (no {@code none}, and no HS256
 * keyed with an RSA public key: HS256 verifies only against the configured shared secret). Requires
 * {@code exp} and {@code sub}; checks {@code iss}, {@code aud}, {@code exp}, {@code nbf} with the
 * leeway. Thread-safe; blocking (signature checks and key refetches): call from worker threads.
 */
public final class TokenVerifier {
  /** A verified token: the consumer it names, when it expires, and the key that signed it. */
  public record Verified(Consumer consumer, long expiresAtMillis, String keyId) {}

  private static final String MEDIA_TYPE_PREFIX = "application/";
  private static final Set<String> ACCEPTED_TYPES = Set.of("jwt", "at+jwt");
  private static final String TYPE_REFUSED = "token type (typ) not accepted";

  private final AuthConfig config;
  private final KeySet keys;
  private final byte[] hmacSecret;

  public TokenVerifier(AuthConfig config, KeySet keys, byte[] hmacSecret) {
    this.config = config;
    this.keys = keys;
    this.hmacSecret = hmacSecret == null ? null : hmacSecret.clone();
  }

  public Verified verify(String token) throws InvalidTokenException {
    JWT jwt;
    try {
      jwt = JWTParser.parse(token);
    } catch (ParseException e) {
      throw new InvalidTokenException("malformed token");
    }
    if (!(jwt instanceof SignedJWT signed)) {
      throw new InvalidTokenException("unsigned or encrypted tokens are not accepted");
    }
    JWSHeader header = signed.getHeader();
    String algorithm = header.getAlgorithm().getName();
    if (!config.algorithms().contains(algorithm)) {
      throw new InvalidTokenException("algorithm " + algorithm + " is not accepted");
    }
    String kid = header.getKeyID();
    boolean hmac = JWSAlgorithm.Family.HMAC_SHA.contains(header.getAlgorithm());
    if (!hmac && kid != null && !keys.contains(kid) && !keys.refreshForUnknownKid(kid)) {
      throw new InvalidTokenException("unknown key id");
    }
    JWTClaimsSet claims;
    try {
      claims = processor(hmac).process(signed, null);
    } catch (BadJOSEException e) {
      throw new InvalidTokenException(describe(e));
    } catch (JOSEException e) {
      throw new InvalidTokenException("signature could not be verified");
    }
    return new Verified(toConsumer(claims), claims.getExpirationTime().getTime(), kid);
  }

  private DefaultJWTProcessor<SecurityContext> processor(boolean hmac) {
    DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    JWSKeySelector<SecurityContext> selector =
        hmac
            ? new JWSVerificationKeySelector<>(
                JWSAlgorithm.HS256, new ImmutableSecret<>(hmacSecret))
            : new JWSVerificationKeySelector<>(
                asymmetricAlgorithms(),
                new com.nimbusds.jose.jwk.source.ImmutableJWKSet<>(keys.current()));
    processor.setJWSKeySelector(selector);
    processor.setJWSTypeVerifier(TokenVerifier::verifyType);
    DefaultJWTClaimsVerifier<SecurityContext> claims =
        new DefaultJWTClaimsVerifier<>(
            config.audience(),
            new JWTClaimsSet.Builder().issuer(config.issuer()).build(),
            Set.of("exp", "sub"));
    claims.setMaxClockSkew((int) config.leewaySeconds());
    processor.setJWTClaimsSetVerifier(claims);
    return processor;
  }

  /**
   * Accepts {@code typ} absent, {@code JWT} (RFC 7519) or {@code at+jwt} (RFC 9068 access tokens),
   * each also with the {@code application/} prefix and in any case (media types are
   * case-insensitive, RFC 7515 section 4.1.9); any other type names a token made for something else
   * (RFC 8725 section 3.11) and is refused.
   */
  private static void verifyType(JOSEObjectType type, SecurityContext context)
      throws BadJOSEException {
    if (type == null) {
      return;
    }
    String name = type.getType().toLowerCase(Locale.ROOT);
    if (name.startsWith(MEDIA_TYPE_PREFIX)) {
      name = name.substring(MEDIA_TYPE_PREFIX.length());
    }
    if (!ACCEPTED_TYPES.contains(name)) {
      throw new BadJOSEException(TYPE_REFUSED);
    }
  }

  private Set<JWSAlgorithm> asymmetricAlgorithms() {
    return config.algorithms().stream()
        .filter(name -> !name.equals("HS256"))
        .map(JWSAlgorithm::parse)
        .collect(Collectors.toSet());
  }

  private Consumer toConsumer(JWTClaimsSet claims) throws InvalidTokenException {
    Object plan = claims.getClaim(config.planClaim());
    return new Consumer(claims.getSubject(), plan instanceof String p ? p : null, roles(claims));
  }

  private Set<String> roles(JWTClaimsSet claims) throws InvalidTokenException {
    Object value = claims.getClaim(config.rolesClaim());
    if (value == null) {
      return Set.of();
    }
    if (value instanceof String single) {
      return Set.of(single.split(" "));
    }
    if (value instanceof Collection<?> many) {
      return many.stream().map(String::valueOf).collect(Collectors.toUnmodifiableSet());
    }
    throw new InvalidTokenException("claim " + config.rolesClaim() + " must be a string or a list");
  }

  /** nimbus's messages name the failed check and never echo the token. */
  private static String describe(BadJOSEException e) {
    String message = e.getMessage() == null ? "token rejected" : e.getMessage();
    if (message.equals(TYPE_REFUSED)) {
      return TYPE_REFUSED;
    }
    if (message.contains("Expired")) {
      return "token expired";
    }
    if (message.contains("before use time")) {
      return "token not valid yet";
    }
    if (message.contains("missing required claims")) {
      return "token is missing required claims (exp, sub)";
    }
    if (message.contains("issuer") || message.contains("iss claim")) {
      return "wrong issuer";
    }
    if (message.contains("audience")) {
      return "wrong audience";
    }
    if (message.contains("Invalid signature") || message.contains("no matching key")) {
      return "signature does not match a trusted key";
    }
    return "token rejected";
  }
}
