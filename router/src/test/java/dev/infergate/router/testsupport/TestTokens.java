package dev.infergate.router.testsupport;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs JWTs with the JDK's own crypto, independently of the JOSE library the router verifies with,
 * so a bug shared by signer and verifier cannot hide. Also builds the attacks: {@code alg: none},
 * HS256 keyed with an RSA public key, tampered payloads.
 */
public final class TestTokens {
  public static final String ISSUER = "https://auth.test.example";
  public static final String AUDIENCE = "infergate";
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private JsonObject header = new JsonObject().put("typ", "JWT");
  private final JsonObject claims = new JsonObject();

  private TestTokens() {}

  /** A token with issuer, audience, subject, and an expiry an hour from now. */
  public static TestTokens forSubject(String subject) {
    TestTokens token = new TestTokens();
    long now = Instant.now().getEpochSecond();
    token
        .claims
        .put("iss", ISSUER)
        .put("aud", AUDIENCE)
        .put("sub", subject)
        .put("iat", now)
        .put("exp", now + 3600);
    return token;
  }

  public TestTokens claim(String name, Object value) {
    claims.put(name, value);
    return this;
  }

  public TestTokens without(String claim) {
    claims.remove(claim);
    return this;
  }

  public TestTokens roles(String... roles) {
    return claim("roles", new JsonArray(List.of((Object[]) roles)));
  }

  public TestTokens expiresInSeconds(long seconds) {
    return claim("exp", Instant.now().getEpochSecond() + seconds);
  }

  public TestTokens header(String name, Object value) {
    header = header.copy().put(name, value);
    return this;
  }

  public TestTokens withoutHeader(String name) {
    header = header.copy();
    header.remove(name);
    return this;
  }

  public String signRs256(TestKeys key) {
    return sign("RS256", key.kid, "SHA256withRSA", key.pair.getPrivate(), null);
  }

  public String signPs256(TestKeys key) {
    return sign(
        "PS256",
        key.kid,
        "RSASSA-PSS",
        key.pair.getPrivate(),
        new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
  }

  public String signEs256(TestKeys key) {
    // JWS wants the raw r||s form, which is what the P1363 variant produces.
    return sign("ES256", key.kid, "SHA256withECDSAinP1363Format", key.pair.getPrivate(), null);
  }

  /**
   * HS256 with any bytes as the key: with an RSA public key, the classic algorithm-confusion
   * attack.
   */
  public String signHs256(String kid, byte[] secret) {
    String input = signingInput("HS256", kid);
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return input
          + "."
          + B64.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code alg: none} with an empty signature. */
  public String unsigned() {
    return signingInput("none", null) + ".";
  }

  /** Replaces the payload of a signed token, keeping its signature. */
  public static String withPayload(String token, JsonObject payload) {
    String[] parts = token.split("\\.");
    return parts[0]
        + "."
        + B64.encodeToString(payload.encode().getBytes(StandardCharsets.UTF_8))
        + "."
        + parts[2];
  }

  private String sign(
      String alg, String kid, String jdkAlgorithm, PrivateKey key, PSSParameterSpec pss) {
    String input = signingInput(alg, kid);
    try {
      Signature signature = Signature.getInstance(jdkAlgorithm);
      if (pss != null) {
        signature.setParameter(pss);
      }
      signature.initSign(key);
      signature.update(input.getBytes(StandardCharsets.US_ASCII));
      return input + "." + B64.encodeToString(signature.sign());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private String signingInput(String alg, String kid) {
    JsonObject h = header.copy().put("alg", alg);
    if (kid != null) {
      h.put("kid", kid);
    }
    return B64.encodeToString(h.encode().getBytes(StandardCharsets.UTF_8))
        + "."
        + B64.encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8));
  }
}
