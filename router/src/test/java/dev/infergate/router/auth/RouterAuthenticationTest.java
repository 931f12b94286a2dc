package dev.infergate.router.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.router.testsupport.AuthYaml;
import dev.infergate.router.testsupport.FakeModelServer;
import dev.infergate.router.testsupport.Http;
import dev.infergate.router.testsupport.Poll;
import dev.infergate.router.testsupport.RouterHarness;
import dev.infergate.router.testsupport.ServiceYaml;
import dev.infergate.router.testsupport.TestKeys;
import dev.infergate.router.testsupport.TestTokens;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real router with auth on, tokens signed with the JDK's crypto (not the Nimbus library the
 * router verifies with), keys made per run: what passes, what every attack gets, and key rotation.
 */
class RouterAuthenticationTest {
  private static Vertx vertx;
  private static FakeModelServer stable;
  private static FakeModelServer canary;
  private static RouterHarness router;
  private static Path jwks;
  private static TestKeys rsa;
  private static TestKeys ec;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    stable = FakeModelServer.start(vertx, "stable");
    canary = FakeModelServer.start(vertx, "canary");
    rsa = TestKeys.rsa("rsa-1");
    ec = TestKeys.ec("ec-1");
    Path dir = Files.createTempDirectory("infergate-auth-test");
    jwks = TestKeys.writeJwks(dir.resolve("jwks.json"), rsa, ec);
    router =
        RouterHarness.start(
            ServiceYaml.configWith(
                AuthYaml.auth(jwks),
                new ServiceYaml("iris")
                    .track("stable", 50, "1", stable.url())
                    .track("canary", 50, "2", canary.url())));
  }

  @AfterAll
  static void stop() throws Exception {
    router.close();
    vertx.close().await();
  }

  private static Http.Response infer(String token, String... headers) {
    String[] all = new String[headers.length + 2];
    all[0] = "authorization";
    all[1] = "Bearer " + token;
    System.arraycopy(headers, 0, all, 2, headers.length);
    return Http.post(router.url("/v2/models/iris/infer"), Http.irisV2("input"), all);
  }

  private static int inferences() {
    return stable.inferences() + canary.inferences();
  }

  @Test
  void validRs256Es256AndPs256TokensPass() {
    assertEquals(200, infer(TestTokens.forSubject("alice").signRs256(rsa)).status());
    assertEquals(200, infer(TestTokens.forSubject("bob").signEs256(ec)).status());
    assertEquals(200, infer(TestTokens.forSubject("carol").signPs256(rsa)).status());
  }

  @Test
  void everyAttackGets401WithAChallengeAndNeverReachesAModelServer() {
    TestKeys stranger = TestKeys.rsa("rsa-1"); // same kid, key not in the set
    long now = Instant.now().getEpochSecond();
    String good = TestTokens.forSubject("mallory").signRs256(rsa);
    JsonObject promoted =
        new JsonObject()
            .put("iss", TestTokens.ISSUER)
            .put("aud", TestTokens.AUDIENCE)
            .put("sub", "mallory")
            .put("exp", now + 3600)
            .put("roles", new io.vertx.core.json.JsonArray().add("infergate-admin"));
    Map<String, String> attacks = new LinkedHashMap<>();
    attacks.put("alg none", TestTokens.forSubject("mallory").unsigned());
    attacks.put(
        "HS256 keyed with the RSA public key",
        TestTokens.forSubject("mallory").signHs256("rsa-1", rsa.pair.getPublic().getEncoded()));
    attacks.put("unknown kid", TestTokens.forSubject("mallory").signRs256(TestKeys.rsa("nobody")));
    attacks.put("key not in the set", TestTokens.forSubject("mallory").signRs256(stranger));
    attacks.put("tampered payload", TestTokens.withPayload(good, promoted));
    attacks.put("malformed", "not.a.jwt");
    attacks.put("garbage", "%%%");
    attacks.put("oversized", "a".repeat(5000));
    attacks.put("no exp", TestTokens.forSubject("mallory").without("exp").signRs256(rsa));
    attacks.put("expired", TestTokens.forSubject("mallory").expiresInSeconds(-60).signRs256(rsa));
    attacks.put(
        "not yet valid", TestTokens.forSubject("mallory").claim("nbf", now + 600).signRs256(rsa));
    attacks.put(
        "wrong issuer",
        TestTokens.forSubject("mallory").claim("iss", "https://evil.example").signRs256(rsa));
    attacks.put(
        "wrong audience",
        TestTokens.forSubject("mallory").claim("aud", "someone-else").signRs256(rsa));
    int before = inferences();
    for (Map.Entry<String, String> attack : attacks.entrySet()) {
      Http.Response r = infer(attack.getValue());
      assertEquals(401, r.status(), attack.getKey() + ": " + r.body());
      String challenge = r.header("www-authenticate");
      assertNotNull(challenge, attack.getKey());
      assertTrue(
          challenge.startsWith(
              "Bearer realm=\"infergate\", error=\"invalid_token\", error_description=\""),
          attack.getKey() + ": " + challenge);
      assertTrue(
          r.json().getString("error").startsWith("invalid token: "),
          attack.getKey() + ": " + r.body());
      assertFalse(
          r.body().contains(attack.getValue()) && attack.getValue().length() > 10,
          attack.getKey() + ": the token must not be echoed");
    }
    assertEquals(before, inferences(), "no refused request may reach a model server");
  }

  @Test
  void missingTokenGets401WithABareChallenge() {
    Http.Response r = Http.post(router.url("/v2/models/iris/infer"), Http.irisV2("input"));
    assertEquals(401, r.status());
    assertEquals("Bearer realm=\"infergate\"", r.header("www-authenticate"));
    assertEquals("application/json", r.header("content-type"));
    assertNotNull(r.json().getString("requestId"));
  }

  @Test
  void theVerifiedTokenIsNotForwardedToTheModelServers() {
    // A credential for the gateway goes no further (Envoy's jwt_authn does the same by default).
    Http.Response r =
        infer(
            TestTokens.forSubject("dave").signEs256(ec),
            "x-infergate-consumer",
            "not-a-credential");
    assertEquals(200, r.status());
    FakeModelServer served = r.header("x-infergate-track").equals("stable") ? stable : canary;
    assertFalse(served.lastHeaders().containsKey("authorization"), served.lastHeaders().toString());
    assertEquals(
        "not-a-credential",
        served.lastHeaders().get("x-infergate-consumer"),
        "other headers still pass");
  }

  @Test
  void healthEndpointsNeedNoToken() {
    // kubelet probes carry no token; everything else still does
    // (missingTokenGets401WithABareChallenge).
    assertEquals(200, Http.get(router.url("/v2/health/ready")).status());
    assertEquals(200, Http.get(router.url("/v2/health/live")).status());
    assertEquals(401, Http.get(router.url("/v2/models/iris/ready")).status());
  }

  @Test
  void theSubjectIsTheStickinessKey() {
    for (String subject : new String[] {"dave", "erin", "frank", "grace"}) {
      String token = TestTokens.forSubject(subject).signEs256(ec);
      String first = infer(token).header("x-infergate-track");
      for (int i = 0; i < 5; i++) {
        // A consumer header cannot move an authenticated consumer to another bucket.
        assertEquals(
            first,
            infer(token, "x-infergate-consumer", "other-" + i).header("x-infergate-track"),
            subject);
      }
    }
  }

  @Test
  void trackOverrideNeedsTheOverrideRole() {
    Http.Response plain =
        infer(TestTokens.forSubject("heidi").signEs256(ec), "x-infergate-track", "canary");
    assertEquals(403, plain.status());
    assertTrue(plain.json().getString("error").contains(AuthYaml.OVERRIDE_ROLE), plain.body());
    String tester = TestTokens.forSubject("ivan").roles(AuthYaml.OVERRIDE_ROLE).signEs256(ec);
    for (String track : new String[] {"stable", "canary"}) {
      Http.Response r = infer(tester, "x-infergate-track", track);
      assertEquals(200, r.status());
      assertEquals(track, r.header("x-infergate-track"));
    }
  }

  @Test
  void aRotatedJwksFileIsPickedUpAndTheRemovedKeysTokensAreRefused() throws Exception {
    // Keys of their own, so the shared JWKS of the other tests is left as it was afterwards.
    TestKeys oldKey = TestKeys.ec("rotating-old");
    TestKeys newKey = TestKeys.ec("rotating-new");
    String oldToken = TestTokens.forSubject("judy").signEs256(oldKey);
    String newToken = TestTokens.forSubject("judy").signEs256(newKey);
    try {
      replaceJwks(rsa, ec, oldKey);
      Poll.until(Duration.ofSeconds(15), () -> infer(oldToken).status() == 200, "old key accepted");
      assertEquals(401, infer(newToken).status());
      replaceJwks(rsa, ec, newKey);
      Poll.until(
          Duration.ofSeconds(15),
          () -> infer(newToken).status() == 200,
          "new key accepted without restart");
      Http.Response refused = infer(oldToken);
      assertEquals(
          401,
          refused.status(),
          "a token of a removed key must be refused even though it was cached");
    } finally {
      replaceJwks(rsa, ec);
    }
  }

  private static void replaceJwks(TestKeys... keys) throws Exception {
    Path tmp = jwks.resolveSibling("jwks.json.tmp");
    TestKeys.writeJwks(tmp, keys);
    Files.move(
        tmp,
        jwks,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  @Test
  void aRefusedRequestWithABodyDoesNotPoisonTheConnection() {
    // The 401 comes before the body is read: the router closes that connection, and the next
    // request works.
    String big =
        "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}],\"pad\":\""
            + "x".repeat(30_000)
            + "\"}";
    Http.Response r =
        Http.send(
            Http.builder(router.url("/v2/models/iris/infer"), "authorization", "Bearer nope")
                .POST(
                    java.net.http.HttpRequest.BodyPublishers.ofByteArray(
                        big.getBytes(StandardCharsets.UTF_8)))
                .build());
    assertEquals(401, r.status());
    assertEquals(200, infer(TestTokens.forSubject("ken").signEs256(ec)).status());
  }

  /**
   * Sends {@code head} (request line and headers, without the blank line) and a small body; reads
   * to the close.
   */
  private static String rawExchange(String head, int readLimit) throws Exception {
    java.net.URI url = java.net.URI.create(router.url("/"));
    try (java.net.Socket socket = new java.net.Socket(url.getHost(), url.getPort())) {
      socket.setSoTimeout(10_000);
      String body = Http.irisV2("input");
      socket
          .getOutputStream()
          .write(
              (head
                      + "content-type: application/json\r\ncontent-length: "
                      + body.length()
                      + "\r\nconnection: close\r\n\r\n"
                      + body)
                  .getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      java.io.InputStream in = socket.getInputStream();
      java.io.ByteArrayOutputStream answer = new java.io.ByteArrayOutputStream();
      byte[] buffer = new byte[8192];
      int n;
      while (answer.size() < readLimit && (n = in.read(buffer)) > 0) { // a reset throws here
        answer.write(buffer, 0, n);
      }
      return answer.toString(StandardCharsets.UTF_8);
    }
  }

  private static String padded(int bytes) {
    // A real token of about {@code bytes}: valid, with a large claim (many groups, as some issuers
    // send).
    return TestTokens.forSubject("big")
        .claim("groups", "g".repeat(Math.max(0, bytes * 3 / 4 - 300)))
        .signEs256(ec);
  }

  @Test
  void aValidTokenNearEightKilobytesIsAccepted() throws Exception {
    String token = padded(8_000);
    assertTrue(
        token.length() > 7_800 && token.length() <= 8_192, "token of " + token.length() + " bytes");
    String answer =
        rawExchange(
            "POST /v2/models/iris/infer HTTP/1.1\r\nhost: x\r\nauthorization: Bearer "
                + token
                + "\r\nx-padding: "
                + "p".repeat(600)
                + "\r\n",
            1 << 20);
    assertTrue(
        answer.startsWith("HTTP/1.1 200"), answer.substring(0, Math.min(answer.length(), 600)));
  }

  @Test
  void aTokenOverTheMaximumGetsAJson401WithAChallenge() throws Exception {
    String token = padded(12_000);
    String answer =
        rawExchange(
            "POST /v2/models/iris/infer HTTP/1.1\r\nhost: x\r\nauthorization: Bearer "
                + token
                + "\r\n",
            1 << 20);
    assertTrue(answer.startsWith("HTTP/1.1 401"), answer);
    assertTrue(
        answer.toLowerCase(java.util.Locale.ROOT).contains("www-authenticate: bearer"), answer);
    assertTrue(answer.contains("error_description=\"token too large\""), answer);
    JsonObject body = new JsonObject(answer.substring(answer.indexOf("\r\n\r\n") + 4));
    assertEquals("invalid token: token too large", body.getString("error"));
  }

  @Test
  void aHeaderBlockOverTheListenersLimitGetsAJson431NotAReset() throws Exception {
    int before = inferences();
    String answer =
        rawExchange(
            "POST /v2/models/iris/infer HTTP/1.1\r\nhost: x\r\nx-junk: "
                + "j".repeat(64 * 1024)
                + "\r\n",
            1 << 20);
    assertTrue(answer.startsWith("HTTP/1.1 431"), answer);
    JsonObject body = new JsonObject(answer.substring(answer.indexOf("\r\n\r\n") + 4));
    assertTrue(body.getString("error").contains("header"), body.encode());
    assertEquals(before, inferences());
  }
}
