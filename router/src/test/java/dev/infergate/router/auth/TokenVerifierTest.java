package dev.infergate.router.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.router.config.AuthConfig;
import dev.infergate.router.testsupport.TestKeys;
import dev.infergate.router.testsupport.TestTokens;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenVerifierTest {
  private static TestKeys rsa;
  private static TestKeys ec;
  private static TestKeys stranger;

  @TempDir Path dir;
  private Path jwks;
  private final AtomicLong clock = new AtomicLong(1_000_000);
  private KeySet keys;
  private TokenVerifier verifier;

  @BeforeAll
  static void makeKeys() {
    rsa = TestKeys.rsa("rsa-1");
    ec = TestKeys.ec("ec-1");
    stranger = TestKeys.rsa("rsa-1");
  }

  static AuthConfig config(Set<String> algorithms, String jwks) {
    return new AuthConfig(
        jwks,
        TestTokens.ISSUER,
        TestTokens.AUDIENCE,
        algorithms,
        30,
        "roles",
        "infergate-admin",
        "infergate-tester",
        "plan",
        null,
        300,
        8192);
  }

  @BeforeEach
  void setUp() throws Exception {
    jwks = TestKeys.writeJwks(dir.resolve("jwks.json"), rsa, ec);
    keys = new KeySet("file:" + jwks, clock::get);
    keys.loadInitial();
    verifier = new TokenVerifier(config(Set.of("RS256", "ES256"), "file:" + jwks), keys, null);
  }

  private String rejectionOf(String token) {
    return assertThrows(InvalidTokenException.class, () -> verifier.verify(token)).getMessage();
  }

  @Test
  void acceptsValidRs256TokenAndReadsTheConsumer() throws Exception {
    String token =
        TestTokens.forSubject("alice")
            .roles("infergate-admin", "reader")
            .claim("plan", "gold")
            .signRs256(rsa);
    TokenVerifier.Verified verified = verifier.verify(token);
    assertEquals("alice", verified.consumer().subject());
    assertEquals("gold", verified.consumer().plan());
    assertTrue(verified.consumer().hasRole("infergate-admin"));
    assertEquals("rsa-1", verified.keyId());
  }

  @Test
  void acceptsValidEs256Token() throws Exception {
    assertEquals(
        "bob", verifier.verify(TestTokens.forSubject("bob").signEs256(ec)).consumer().subject());
  }

  @Test
  void rejectsAlgNone() {
    assertTrue(rejectionOf(TestTokens.forSubject("eve").unsigned()).contains("unsigned"));
  }

  @Test
  void rejectsHs256KeyedWithTheRsaPublicKey() {
    byte[] publicKey = rsa.pair.getPublic().getEncoded();
    assertTrue(
        rejectionOf(TestTokens.forSubject("eve").signHs256("rsa-1", publicKey)).contains("HS256"));
  }

  @Test
  void rejectsAnAlgorithmThatIsNotAllowed() {
    assertTrue(rejectionOf(TestTokens.forSubject("eve").signPs256(rsa)).contains("PS256"));
  }

  @Test
  void rejectsUnknownKeyId() {
    TestKeys other = TestKeys.ec("never-published");
    assertEquals("unknown key id", rejectionOf(TestTokens.forSubject("eve").signEs256(other)));
  }

  @Test
  void rejectsASignatureFromAKeyNotInTheSet() {
    assertTrue(rejectionOf(TestTokens.forSubject("eve").signRs256(stranger)).contains("signature"));
  }

  @Test
  void rejectsATamperedPayload() {
    String token = TestTokens.forSubject("alice").signRs256(rsa);
    JsonObject forged =
        new JsonObject(new String(Base64.getUrlDecoder().decode(token.split("\\.")[1])))
            .put("sub", "admin")
            .put("roles", java.util.List.of("infergate-admin"));
    assertTrue(rejectionOf(TestTokens.withPayload(token, forged)).contains("signature"));
  }

  @Test
  void rejectsMalformedTokens() {
    assertEquals("malformed token", rejectionOf("not.a.jwt"));
    assertEquals("malformed token", rejectionOf("abc"));
  }

  @Test
  void rejectsATokenWithoutExpiry() {
    assertTrue(
        rejectionOf(TestTokens.forSubject("alice").without("exp").signRs256(rsa)).contains("exp"));
  }

  @Test
  void rejectsAnExpiredTokenBeyondTheLeewayButAcceptsOneWithin() throws Exception {
    assertEquals(
        "token expired",
        rejectionOf(TestTokens.forSubject("a").expiresInSeconds(-120).signRs256(rsa)));
    verifier.verify(TestTokens.forSubject("a").expiresInSeconds(-10).signRs256(rsa));
  }

  @Test
  void rejectsATokenNotValidYet() {
    long later = java.time.Instant.now().getEpochSecond() + 600;
    assertEquals(
        "token not valid yet",
        rejectionOf(TestTokens.forSubject("a").claim("nbf", later).signRs256(rsa)));
  }

  @Test
  void rejectsWrongIssuerAndAudience() {
    assertEquals(
        "wrong issuer",
        rejectionOf(TestTokens.forSubject("a").claim("iss", "https://evil").signRs256(rsa)));
    assertEquals(
        "wrong audience",
        rejectionOf(TestTokens.forSubject("a").claim("aud", "other").signRs256(rsa)));
  }

  @Test
  void picksUpARotatedKeySetWithoutRestartAndRefusesTheOldKey() throws Exception {
    TestKeys next = TestKeys.ec("ec-2");
    TestKeys.writeJwks(jwks, next);
    assertEquals(
        "carol",
        verifier.verify(TestTokens.forSubject("carol").signEs256(next)).consumer().subject(),
        "an unknown kid triggers an immediate refetch");
    assertEquals("unknown key id", rejectionOf(TestTokens.forSubject("carol").signEs256(ec)));
  }

  @Test
  void refetchesForUnknownKidsAtMostOncePerInterval() {
    TestKeys late = TestKeys.ec("late");
    assertEquals("unknown key id", rejectionOf(TestTokens.forSubject("x").signEs256(late)));
    TestKeys.writeJwks(jwks, rsa, ec, late);
    assertEquals(
        "unknown key id",
        rejectionOf(TestTokens.forSubject("x").signEs256(late)),
        "a second refetch within the interval is not made");
    clock.addAndGet(KeySet.MIN_UNKNOWN_KID_REFETCH_MILLIS);
    assertThrows(InvalidTokenException.class, () -> verifier.verify("junk"));
    org.junit.jupiter.api.Assertions.assertDoesNotThrow(
        () -> verifier.verify(TestTokens.forSubject("x").signEs256(late)));
  }

  @Test
  void keepsTheLastGoodKeySetWhenTheSourceBreaks() throws Exception {
    java.nio.file.Files.writeString(jwks, "{ this is not a JWKS");
    assertTrue(keys.refresh(), "still has keys");
    verifier.verify(TestTokens.forSubject("alice").signRs256(rsa));
  }

  @Test
  void acceptsHs256OnlyWithTheConfiguredSecret() throws Exception {
    byte[] secret = "0123456789abcdef0123456789abcdef".getBytes();
    TokenVerifier hmac =
        new TokenVerifier(config(Set.of("HS256", "RS256"), "file:" + jwks), keys, secret);
    assertEquals(
        "h", hmac.verify(TestTokens.forSubject("h").signHs256(null, secret)).consumer().subject());
    assertThrows(
        InvalidTokenException.class,
        () ->
            hmac.verify(
                TestTokens.forSubject("h").signHs256("rsa-1", rsa.pair.getPublic().getEncoded())));
  }

  @Test
  void acceptsJwtAndRfc9068AccessTokenTypesInAnyCase() throws Exception {
    for (String typ :
        new String[] {
          "JWT",
          "jwt",
          "at+jwt",
          "AT+JWT",
          "application/at+jwt",
          "Application/AT+JWT",
          "application/jwt"
        }) {
      assertEquals(
          "alice",
          verifier
              .verify(TestTokens.forSubject("alice").header("typ", typ).signEs256(ec))
              .consumer()
              .subject(),
          typ);
    }
    assertEquals(
        "alice",
        verifier
            .verify(TestTokens.forSubject("alice").withoutHeader("typ").signEs256(ec))
            .consumer()
            .subject(),
        "no typ");
  }

  @Test
  void refusesOtherTokenTypes() {
    // Tokens made for something else (RFC 8725 section 3.11): an ID token's sibling types, logout,
    // DPoP proofs.
    for (String typ :
        new String[] {
          "JOSE", "secevent+jwt", "dpop+jwt", "logout+jwt", "at+jwt2", "application/json"
        }) {
      assertTrue(
          rejectionOf(TestTokens.forSubject("eve").header("typ", typ).signEs256(ec))
              .contains("type"),
          typ);
    }
  }
}
