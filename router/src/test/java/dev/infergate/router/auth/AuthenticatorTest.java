package dev.infergate.router.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.router.testsupport.TestKeys;
import dev.infergate.router.testsupport.TestTokens;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthenticatorTest {
  @TempDir Path dir;

  @Test
  void boundsTheVerificationsInFlightAndAnswersRepeatsFromTheCache() throws Exception {
    Vertx vertx = Vertx.vertx();
    TestKeys key = TestKeys.rsa("k");
    Path jwks = TestKeys.writeJwks(dir.resolve("jwks.json"), key);
    try (Authenticator auth =
        Authenticator.create(vertx, TokenVerifierTest.config(Set.of("RS256"), "file:" + jwks))) {
      // Forged tokens with a known kid: each needs a real signature check on a worker.
      String signed = TestTokens.forSubject("x").signRs256(key);
      List<String> forged = new ArrayList<>();
      for (int i = 0; i < Authenticator.MAX_CONCURRENT_VERIFICATIONS * 4; i++) {
        forged.add(
            "Bearer "
                + TestTokens.withPayload(
                    signed,
                    new io.vertx.core.json.JsonObject()
                        .put("sub", "forged-" + i)
                        .put("exp", 4_000_000_000L)));
      }
      List<Future<Consumer>> all = new ArrayList<>();
      for (String token : forged) {
        all.add(auth.authenticate(token));
      }
      for (Future<Consumer> f : all) {
        try {
          f.await(60, TimeUnit.SECONDS);
        } catch (Exception expected) {
          // every forged token fails; which way is counted below
        }
      }
      long busy =
          all.stream()
              .filter(f -> f.cause() instanceof Authenticator.VerificationBusyException)
              .count();
      long refused = all.stream().filter(f -> f.cause() instanceof InvalidTokenException).count();
      assertTrue(busy > 0, "a flood beyond the bound is turned away at once");
      assertEquals(
          all.size(), busy + refused, "every forged token is refused one way or the other");

      String good = "Bearer " + TestTokens.forSubject("alice").signRs256(key);
      assertEquals(
          "alice",
          auth.authenticate(good).await(10, TimeUnit.SECONDS).subject(),
          "the bound is released");
      assertEquals("alice", auth.cachedConsumer(good).subject());
      assertEquals(
          null, auth.cachedConsumer("Bearer " + TestTokens.forSubject("bob").signRs256(key)));
    } finally {
      vertx.close().await();
    }
  }
}
