package dev.infergate.router.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.router.testsupport.FakeModelServer;
import dev.infergate.router.testsupport.FakeModelServer.Mode;
import dev.infergate.router.testsupport.Http;
import dev.infergate.router.testsupport.LoadLoop;
import dev.infergate.router.testsupport.Poll;
import dev.infergate.router.testsupport.Ports;
import dev.infergate.router.testsupport.RawHttp;
import dev.infergate.router.testsupport.RouterHarness;
import dev.infergate.router.testsupport.ServiceYaml;
import io.vertx.core.Vertx;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Breakers, retries, failover and timeouts through one real router; each scenario is its own
 * service (model) so that they do not disturb each other.
 */
class ResilienceTest {
  private static final String BODY = Http.irisV2("input");
  private static Vertx vertx;
  private static FakeModelServer good;
  private static FakeModelServer failing;
  private static FakeModelServer hanging;
  private static FakeModelServer notImplemented;
  private static FakeModelServer spare;
  private static FakeModelServer resetting;
  private static FakeModelServer badRequest;
  private static FakeModelServer notFound;
  private static FakeModelServer hangingAlone;
  private static String dead1;
  private static String dead2;
  private static RouterHarness router;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    good = FakeModelServer.start(vertx, "good");
    failing = FakeModelServer.start(vertx, "failing").mode(Mode.FAIL_500);
    hanging = FakeModelServer.start(vertx, "hanging").mode(Mode.HANG);
    notImplemented = FakeModelServer.start(vertx, "not-implemented").mode(Mode.FAIL_501);
    spare = FakeModelServer.start(vertx, "spare");
    resetting = FakeModelServer.start(vertx, "resetting").mode(Mode.RESET);
    badRequest = FakeModelServer.start(vertx, "bad-request").mode(Mode.FAIL_400);
    notFound = FakeModelServer.start(vertx, "not-found").mode(Mode.FAIL_404);
    hangingAlone = FakeModelServer.start(vertx, "hanging-alone").mode(Mode.HANG);
    dead1 = Ports.refusedUrl();
    dead2 = Ports.refusedUrl();
    router =
        RouterHarness.start(
            ServiceYaml.config(
                new ServiceYaml("flaky").track("stable", 100, "1", good.url(), failing.url()),
                new ServiceYaml("split")
                    .track("stable", 50, "1", spare.url())
                    .track("canary", 50, "2", dead1, dead2)
                    .fallback("stable"),
                new ServiceYaml("slow")
                    .track("stable", 100, "1", hanging.url(), good.url())
                    .timeoutMillis(5000)
                    .retry(
                        "{ attempts: 3, budgetPercent: 20, minConcurrent: 10, perTryTimeoutMillis: 300 }"),
                new ServiceYaml("dead").track("stable", 100, "1", dead1, dead2),
                new ServiceYaml("stuck")
                    .track("stable", 100, "1", hanging.url())
                    .timeoutMillis(400),
                new ServiceYaml("resend")
                    .track("stable", 100, "1", failing.url(), good.url())
                    .breaker(
                        "{ failureRatePercent: 50, slowCallMillis: 2000, window: 10000, openMillis: 60000 }"),
                new ServiceYaml("unimpl")
                    .track("stable", 100, "1", notImplemented.url(), good.url()),
                new ServiceYaml("reset-alone").track("stable", 100, "1", resetting.url()),
                new ServiceYaml("reset-no-budget")
                    .track("stable", 100, "1", resetting.url())
                    .retry("{ attempts: 3, budgetPercent: 0, minConcurrent: 0 }"),
                new ServiceYaml("reset-one-attempt")
                    .track("stable", 100, "1", resetting.url(), good.url())
                    .retry("{ attempts: 1, budgetPercent: 20, minConcurrent: 10 }"),
                new ServiceYaml("client-errors")
                    .track("stable", 100, "1", badRequest.url(), notFound.url()),
                new ServiceYaml("malformed").track("stable", 100, "1", hangingAlone.url())));
  }

  @AfterAll
  static void stop() throws Exception {
    router.close();
    vertx.close().await();
  }

  private static HttpRequest infer(String model, String consumer) {
    return Http.builder(
            router.url("/v2/models/" + model + "/infer"), "x-infergate-consumer", consumer)
        .POST(HttpRequest.BodyPublishers.ofString(BODY))
        .build();
  }

  @Test
  void endpointAnswering500OpensItsBreakerWhileClientsSeeNoFailure() {
    LoadLoop load =
        LoadLoop.start(4, 300, Duration.ofSeconds(30), i -> infer("flaky", "c" + i))
            .awaitFinished();
    assertEquals(0, load.failed(), load.failures().toString());
    assertEquals(300, load.ok());
    assertEquals("OPEN", router.breakerState("flaky", failing.url()));
    assertEquals("CLOSED", router.breakerState("flaky", good.url()));
    int failingSeen = failing.inferences();
    for (int i = 0; i < 20; i++) {
      assertEquals(200, Http.send(infer("flaky", "after-" + i)).status());
    }
    assertEquals(failingSeen, failing.inferences(), "an open breaker still received requests");
    String metrics = Http.get(router.adminUrl("/metrics")).body();
    assertTrue(
        metrics.contains(
            "infergate_router_circuit_breaker_state{endpoint=\""
                + failing.url().substring(7)
                + "\",service=\"flaky\",state=\"open\",track=\"stable\"} 1.0"),
        metrics);
    assertTrue(
        metrics.contains(
            "infergate_router_retries_total{endpoint=\""
                + failing.url().substring(7)
                + "\",reason=\"status\",service=\"flaky\",track=\"stable\"}"),
        metrics);
  }

  @Test
  void retryResendsTheWholeBufferedBody() {
    String big =
        "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}],\"pad\":\""
            + "x".repeat(20_000)
            + "\"}";
    CRC32 crc = new CRC32();
    crc.update(big.getBytes(StandardCharsets.UTF_8));
    int failedBefore = failing.inferences();
    for (int i = 0; i < 20; i++) {
      Http.Response r =
          Http.post(
              router.url("/v2/models/resend/infer"), big, "x-infergate-consumer", "body-" + i);
      assertEquals(200, r.status(), r.body());
      assertEquals(big.length(), r.json().getInteger("body_bytes"));
      assertEquals(crc.getValue(), r.json().getLong("body_crc32"), "the body arrived changed");
      assertEquals("good", r.json().getString("served_by"));
      Map<String, String> seen = good.lastHeaders();
      assertEquals("127.0.0.1", seen.get("x-forwarded-for"), "a retry must not add this hop twice");
      assertEquals(1, seen.get("forwarded").split(",").length, seen.get("forwarded"));
      assertEquals(r.header("x-request-id"), seen.get("x-request-id"));
    }
    assertTrue(failing.inferences() > failedBefore, "no request was retried");
  }

  @Test
  void wholeTrackDownFailsOverToTheFallbackTrack() {
    LoadLoop load =
        LoadLoop.start(4, 200, Duration.ofSeconds(30), i -> infer("split", "c" + i))
            .awaitFinished();
    assertEquals(0, load.failed(), load.failures().toString());
    assertEquals(200, load.byTrack("stable"), "every answer must come from the fallback track");
    String metrics = Http.get(router.adminUrl("/metrics")).body();
    assertTrue(
        metrics.contains(
            "infergate_router_failovers_total{from=\"canary\",service=\"split\",to=\"stable\"}"),
        metrics);
    Poll.until(
        Duration.ofSeconds(5),
        () ->
            !router
                .admin("/admin/services/split")
                .getJsonArray("tracks")
                .getJsonObject(1)
                .getJsonArray("endpoints")
                .getJsonObject(0)
                .getBoolean("healthy"),
        "dead endpoint marked unhealthy");
  }

  @Test
  void hangingEndpointIsLeftAfterThePerTryTimeout() {
    for (int i = 0; i < 6; i++) {
      long t0 = System.nanoTime();
      Http.Response r = Http.send(infer("slow", "s" + i));
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertEquals(200, r.status(), r.body());
      assertEquals("good", r.json().getString("served_by"));
      assertTrue(ms < 2000, "took " + ms + " ms");
    }
  }

  @Test
  void answers503FastWhenNoEndpointCanAnswer() {
    long t0 = System.nanoTime();
    Http.Response r = Http.send(infer("dead", "x"));
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertEquals(503, r.status());
    assertTrue(r.json().getString("error").startsWith("no endpoint of service 'dead'"), r.body());
    assertNotNull(r.json().getString("requestId"));
    assertEquals(r.header("x-request-id"), r.json().getString("requestId"));
    assertTrue(ms < 2000, "took " + ms + " ms");
  }

  /**
   * The 503 says why the last failure was not retried, so ops can tell a budget from a dead track.
   */
  @Test
  void the503SaysWhyTheLastFailureWasNotRetried() {
    assertNotRetried("reset-alone", "no endpoint left to try");
    assertNotRetried("reset-no-budget", "retry budget exhausted");
    // Two endpoints: only a try that landed on the resetting one ends in a 503.
    Http.Response r;
    int tries = 0;
    do {
      r = Http.send(infer("reset-one-attempt", "c" + tries));
    } while (r.status() == 200 && ++tries < 50);
    assertEquals(503, r.status(), r.body());
    assertTrue(
        r.json().getString("error").endsWith("not retried: retry.attempts=1 used)"), r.body());
  }

  private static void assertNotRetried(String service, String reason) {
    Http.Response r = Http.send(infer(service, "x"));
    assertEquals(503, r.status(), r.body());
    String error = r.json().getString("error");
    assertTrue(
        error.startsWith(
            "no endpoint of service '"
                + service
                + "' could answer (last error: connection closed or reset"),
        error);
    assertTrue(error.endsWith("; not retried: " + reason + ")"), error);
  }

  @Test
  void answers504WhenTheWholeRequestRunsOutOfTime() {
    long t0 = System.nanoTime();
    Http.Response r = Http.send(infer("stuck", "x"));
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertEquals(504, r.status(), r.body());
    assertTrue(r.json().getString("error").contains("timeoutMillis=400"), r.body());
    assertTrue(ms >= 350 && ms < 3000, "took " + ms + " ms");
  }

  @Test
  void passes501ThroughWithoutRetrying() {
    int before = good.inferences();
    int seen501 = 0;
    for (int i = 0; i < 20; i++) {
      int status = Http.send(infer("unimpl", "u" + i)).status();
      assertTrue(status == 200 || status == 501, "status " + status);
      if (status == 501) {
        seen501++;
      }
    }
    assertTrue(seen501 > 0, "501 was retried away");
    assertEquals(20 - seen501, good.inferences() - before);
  }

  /** A model server answers bad client input with 4xx: the client's fault, never the endpoint's. */
  @Test
  void clientErrorsFromTheModelServerLeaveEveryBreakerClosed() {
    LoadLoop load =
        LoadLoop.start(4, 100, Duration.ofSeconds(30), i -> infer("client-errors", "c" + i))
            .awaitFinished();
    assertEquals(
        100, load.status(400) + load.status(404), "every 4xx passed through: " + load.failures());
    assertTrue(load.status(400) > 0 && load.status(404) > 0, "both endpoints answered");
    assertEquals(100, badRequest.inferences() + notFound.inferences(), "a 4xx is not retried");
    assertEquals("CLOSED", router.breakerState("client-errors", badRequest.url()));
    assertEquals("CLOSED", router.breakerState("client-errors", notFound.url()));
  }

  /**
   * Issue 17: a malformed escape used to reach a model server that never answered it, so each one
   * cost a timeout that counted against the breaker; ~40 of them opened every breaker of a track.
   */
  @Test
  void malformedPathsNeverReachAnEndpointNorCountInItsBreaker() throws Exception {
    List<String> targets =
        List.of(
            "/v2/models/%zz/infer",
            "/v2/models/malformed%/infer",
            "/v2/models/malformed/versions/%zz/infer",
            "/v1/models/%G1:predict",
            "/v2/models/malformed/%2e%2e/x");
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<RawHttp.Answer>> answers = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        String target = targets.get(i % targets.size());
        answers.add(pool.submit(() -> RawHttp.send(router.server().port(), "POST", target, BODY)));
      }
      for (Future<RawHttp.Answer> f : answers) {
        RawHttp.Answer a = f.get(10, TimeUnit.SECONDS);
        assertEquals(400, a.status(), a.head() + "\n" + a.body());
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(0, hangingAlone.inferences(), "a malformed path reached the model server");
    assertEquals("CLOSED", router.breakerState("malformed", hangingAlone.url()));
  }
}
