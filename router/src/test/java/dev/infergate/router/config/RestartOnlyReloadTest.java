package dev.infergate.router.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.infergate.router.testsupport.AuthYaml;
import dev.infergate.router.testsupport.FakeModelServer;
import dev.infergate.router.testsupport.Http;
import dev.infergate.router.testsupport.Poll;
import dev.infergate.router.testsupport.RouterHarness;
import dev.infergate.router.testsupport.ServiceYaml;
import dev.infergate.router.testsupport.TestKeys;
import dev.infergate.router.testsupport.TestTokens;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Restart-only fields keep the values the router started with through a reload, and a reload that
 * would only be valid with other values is refused: dropping {@code auth:} and setting {@code
 * allowTrackOverride: true} must not let a consumer without the override role pick its track while
 * tokens are still checked with the start-up settings.
 */
class RestartOnlyReloadTest {
  private static final Pattern REJECTED =
      Pattern.compile("(?m)^infergate_router_config_reloads_total\\{result=\"rejected\"} (\\S+)$");
  private static Vertx vertx;
  private static FakeModelServer stable;
  private static FakeModelServer canary;
  private static RouterHarness router;
  private static String consumer;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    stable = FakeModelServer.start(vertx, "stable");
    canary = FakeModelServer.start(vertx, "canary");
    TestKeys key = TestKeys.ec("reload-key");
    Path dir = Files.createTempDirectory("infergate-reload-test");
    Path jwks = TestKeys.writeJwks(dir.resolve("jwks.json"), key);
    router = RouterHarness.start(dir, ServiceYaml.configWith(AuthYaml.auth(jwks), services()));
    consumer = TestTokens.forSubject("mallory").signEs256(key);
  }

  @AfterAll
  static void stop() throws Exception {
    router.close();
    vertx.close().await();
  }

  private static ServiceYaml services() {
    return new ServiceYaml("iris")
        .track("stable", 100, "1", stable.url())
        .track("canary", 0, "2", canary.url());
  }

  @Test
  void aReloadThatDropsAuthToAllowTrackOverrideIsRefusedAndTheOverrideStaysForbidden() {
    assertEquals(
        403, override().status(), "a consumer without the override role may not choose its track");
    double before = rejectedReloads();
    // ServiceYaml.config: no auth block, allowTrackOverride: true.
    router.rewriteConfig(ServiceYaml.config(services()));
    Poll.until(Duration.ofSeconds(10), () -> rejectedReloads() > before, "the reload is refused");
    Http.Response r = override();
    assertEquals(403, r.status(), r.body());
    assertEquals(
        401,
        Http.post(router.url("/v2/models/iris/infer"), Http.irisV2("input")).status(),
        "tokens are still required");
  }

  private static Http.Response override() {
    return Http.post(
        router.url("/v2/models/iris/infer"),
        Http.irisV2("input"),
        "authorization",
        "Bearer " + consumer,
        "x-infergate-track",
        "canary");
  }

  private static double rejectedReloads() {
    Matcher m = REJECTED.matcher(Http.get(router.adminUrl("/metrics")).body());
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }
}
