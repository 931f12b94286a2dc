package dev.infergate.router.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;

/**
 * Signs development tokens (ES256) with the {@link DevKeys} key, for the quick start and local
 * tests.
 */
public final class DevTokens {
  private DevTokens() {}

  public static String sign(
      ECKey key,
      String issuer,
      String audience,
      String subject,
      List<String> roles,
      String plan,
      String rolesClaim,
      String planClaim,
      Duration ttl)
      throws JOSEException {
    Instant now = Instant.now();
    JWTClaimsSet.Builder claims =
        new JWTClaimsSet.Builder()
            .issuer(issuer)
            .audience(audience)
            .subject(subject)
            .issueTime(Date.from(now))
            .notBeforeTime(Date.from(now))
            .expirationTime(Date.from(now.plus(ttl)))
            .jwtID(UUID.randomUUID().toString());
    if (!roles.isEmpty()) {
      claims.claim(rolesClaim, roles);
    }
    if (plan != null) {
      claims.claim(planClaim, plan);
    }
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.ES256)
                .keyID(key.getKeyID())
                .type(JOSEObjectType.JWT)
                .build(),
            claims.build());
    jwt.sign(new ECDSASigner(key));
    return jwt.serialize();
  }

  /** Parses {@code 90s}, {@code 15m}, {@code 1h}, {@code 7d}. */
  public static Duration parseTtl(String text) {
    if (text == null || text.length() < 2) {
      throw new IllegalArgumentException("--ttl must look like 90s, 15m, 1h or 7d, was " + text);
    }
    long amount;
    try {
      amount = Long.parseLong(text.substring(0, text.length() - 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--ttl must look like 90s, 15m, 1h or 7d, was " + text);
    }
    return switch (text.charAt(text.length() - 1)) {
      case 's' -> Duration.ofSeconds(amount);
      case 'm' -> Duration.ofMinutes(amount);
      case 'h' -> Duration.ofHours(amount);
      case 'd' -> Duration.ofDays(amount);
      default ->
          throw new IllegalArgumentException(
              "--ttl must look like 90s, 15m, 1h or 7d, was " + text);
    };
  }
}
