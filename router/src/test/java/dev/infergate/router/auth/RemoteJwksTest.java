package dev.infergate.router.auth;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.JWKSet;
import dev.infergate.router.testsupport.TestKeys;
import dev.infergate.router.testsupport.TestTokens;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A JWKS fetched over HTTP from a real issuer stand-in on loopback: fetched at start, refetched at
 * once for an unknown kid but at most once per interval, and the last good set kept while the
 * issuer fails.
 */
class RemoteJwksTest {
  private Vertx vertx;
  private HttpServer issuer;
  private final AtomicInteger fetches = new AtomicInteger();
  private final AtomicReference<String> served = new AtomicReference<>();
  private final AtomicInteger status = new AtomicInteger(200);
  private final AtomicLong clock = new AtomicLong(1_000_000);
  private final TestKeys first = TestKeys.ec("first");
  private KeySet keys;
  private TokenVerifier verifier;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    serve(first);
    issuer =
        vertx
            .createHttpServer()
            .requestHandler(
                req -> {
                  fetches.incrementAndGet();
                  req.response()
                      .setStatusCode(status.get())
                      .putHeader("content-type", "application/json")
                      .end(served.get());
                })
            .listen(0, "127.0.0.1")
            .await(10, TimeUnit.SECONDS);
    String url = "http://127.0.0.1:" + issuer.actualPort() + "/.well-known/jwks.json";
    keys = new KeySet(url, clock::get);
    keys.loadInitial();
    verifier = new TokenVerifier(TokenVerifierTest.config(Set.of("ES256"), url), keys, null);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private void serve(TestKeys... set) {
    served.set(
        new JWKSet(
                List.of(
                    java.util.Arrays.stream(set)
                        .map(TestKeys::publicJwk)
                        .toArray(com.nimbusds.jose.jwk.JWK[]::new)))
            .toString(true));
  }

  @Test
  void fetchesAtStartAndAcceptsItsKeys() {
    assertEquals(1, fetches.get());
    assertDoesNotThrow(() -> verifier.verify(TestTokens.forSubject("a").signEs256(first)));
    assertEquals(1, fetches.get(), "a known kid needs no fetch");
  }

  @Test
  void anUnknownKidIsRefetchedAtOnceButAtMostOncePerInterval() {
    TestKeys rotated = TestKeys.ec("rotated");
    serve(first, rotated);
    assertDoesNotThrow(
        () -> verifier.verify(TestTokens.forSubject("a").signEs256(rotated)),
        "the issuer rotated: the unknown kid triggers a fetch");
    assertEquals(2, fetches.get());

    TestKeys bogus = TestKeys.ec("bogus");
    for (int i = 0; i < 20; i++) {
      assertThrows(
          InvalidTokenException.class,
          () -> verifier.verify(TestTokens.forSubject("x").signEs256(bogus)));
    }
    assertEquals(2, fetches.get(), "more unknown kids within the same interval cost no fetch");
    clock.addAndGet(KeySet.MIN_UNKNOWN_KID_REFETCH_MILLIS);
    assertThrows(
        InvalidTokenException.class,
        () -> verifier.verify(TestTokens.forSubject("x").signEs256(bogus)));
    assertEquals(3, fetches.get(), "after the interval, one more");
    for (int i = 0; i < 20; i++) {
      assertThrows(
          InvalidTokenException.class,
          () -> verifier.verify(TestTokens.forSubject("x").signEs256(bogus)));
    }
    assertEquals(3, fetches.get(), "and no more within that interval");
  }

  @Test
  void theLastGoodKeySetIsKeptWhileTheIssuerFails() throws Exception {
    status.set(503);
    assertTrue(keys.refresh(), "keys are still in place");
    assertDoesNotThrow(() -> verifier.verify(TestTokens.forSubject("a").signEs256(first)));
    issuer.close().await(10, TimeUnit.SECONDS);
    assertTrue(keys.refresh(), "issuer down: keys are still in place");
    assertDoesNotThrow(() -> verifier.verify(TestTokens.forSubject("a").signEs256(first)));
    assertTrue(keys.contains("first"));
    assertFalse(keys.contains("bogus"));
  }
}
