package dev.infergate.router.testsupport;

import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A router with auth on in front of two fake model servers: service {@code iris} (track stable
 * pinned to version 1) and service {@code wine} (no pin). For the tests of what reaches a model
 * server through the router, and how.
 */
public final class TwoModelRouter implements AutoCloseable {
  public final Vertx vertx;
  public final FakeModelServer iris;
  public final FakeModelServer wine;
  public final RouterHarness router;

  /** A bearer token (without the scheme) for a consumer with no role. */
  public final String token;

  private TwoModelRouter(
      Vertx vertx, FakeModelServer iris, FakeModelServer wine, RouterHarness router, String token) {
    this.vertx = vertx;
    this.iris = iris;
    this.wine = wine;
    this.router = router;
    this.token = token;
  }

  /** Starts both fake model servers and the router; {@code subject} is the token's consumer. */
  public static TwoModelRouter start(String subject) throws Exception {
    Vertx vertx = Vertx.vertx();
    FakeModelServer iris = FakeModelServer.start(vertx, "iris");
    FakeModelServer wine = FakeModelServer.start(vertx, "wine");
    TestKeys rsa = TestKeys.rsa("rsa-1");
    Path jwks =
        TestKeys.writeJwks(
            Files.createTempDirectory("infergate-two-models").resolve("jwks.json"), rsa);
    String token = TestTokens.forSubject(subject).signRs256(rsa);
    RouterHarness router =
        RouterHarness.start(
            ServiceYaml.configWith(
                AuthYaml.auth(jwks),
                new ServiceYaml("iris").track("stable", 100, "1", iris.url()),
                new ServiceYaml("wine").track("stable", 100, null, wine.url())));
    return new TwoModelRouter(vertx, iris, wine, router, token);
  }

  @Override
  public void close() throws Exception {
    router.close();
    vertx.close().await();
  }
}
