package dev.infergate.router.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.router.testsupport.FakeModelServer;
import dev.infergate.router.testsupport.Http;
import dev.infergate.router.testsupport.RawHttp;
import dev.infergate.router.testsupport.RouterHarness;
import dev.infergate.router.testsupport.TwoModelRouter;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 17's critical finding, through a real router with auth on: request targets that are not
 * canonical get 400 before auth (so before 401), the router forwards only the paths of its grammar,
 * rebuilt from the parts it matched, and nothing else ever reaches a model server.
 */
class PathTricksTest {
  /** What a model server may ever see: health checks and the paths the router rebuilt. */
  private static final Pattern CANONICAL_UPSTREAM =
      Pattern.compile(
          "/v2/health/(live|ready)"
              + "|/v2/models/(iris|wine)(/versions/[A-Za-z0-9][A-Za-z0-9._-]*)?(/ready|/infer|/config|/stats)?(\\?[a-z0-9=&%]*)?"
              + "|/v1/models/(iris|wine)(/versions/[A-Za-z0-9][A-Za-z0-9._-]*)?(:predict)?");

  private static final String BODY = Http.irisV2("input");
  private static final AtomicInteger IDS = new AtomicInteger();

  private static Vertx vertx;
  private static FakeModelServer iris;
  private static FakeModelServer wine;
  private static RouterHarness router;
  private static String token;

  private static TwoModelRouter fixture;

  @BeforeAll
  static void start() throws Exception {
    fixture = TwoModelRouter.start("consumer-with-no-role");
    vertx = fixture.vertx;
    iris = fixture.iris;
    wine = fixture.wine;
    router = fixture.router;
    token = fixture.token;
  }

  @AfterAll
  static void stop() throws Exception {
    fixture.close();
  }

  @AfterEach
  void nothingButCanonicalPathsEverReachedAModelServer() {
    for (FakeModelServer server : List.of(iris, wine)) {
      for (FakeModelServer.Received r : server.received()) {
        assertTrue(CANONICAL_UPSTREAM.matcher(r.uri()).matches(), server.name() + " received " + r);
      }
    }
  }

  /** Requests that came through the router (it sends an x-request-id; health checks do not). */
  private static long forwarded(FakeModelServer server) {
    return server.received().stream().filter(r -> r.requestId() != null).count();
  }

  private static RawHttp.Answer send(String method, String target, String... headers) {
    return RawHttp.send(
        router.server().port(), method, target, method.equals("POST") ? BODY : null, headers);
  }

  /**
   * The table the model server's HostilePathTest runs too: both servers refuse escaped names with
   * 400.
   */
  @ParameterizedTest
  @MethodSource("dev.infergate.testsupport.KServePathCases#escaped")
  void escapedModelPathsAreRefusedWith400AsByTheModelServer(String target) {
    assertRefusedBeforeAuth(send("POST", target), target);
  }

  private static void assertRefusedBeforeAuth(RawHttp.Answer a, String target) {
    assertEquals(400, a.status(), target + " -> " + a.head() + "\n" + a.body());
    JsonObject json = a.json();
    assertNotNull(json.getString("error"), a.body());
    assertFalse(json.getString("requestId", "").isEmpty(), "a requestId: " + a.body());
    assertFalse(
        a.head().toLowerCase().contains("www-authenticate"), "auth did not run: " + a.head());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/v2/models/iris/../../../../../v2/repository/models/iris/unload",
        "/v2/health/../health/ready",
        "/v2/health/ready/",
        "/v2/models/iris/%2e%2e/%2e%2e/%2e%2e/v2/repository/models/iris/unload",
        "/v2/models/iris/%2E%2E/%2E%2E/v2/repository/index",
        "/v2/models/iris/.%2e/.%2E/metrics",
        "/v2/models/iris/./infer",
        "/v2/models/iris/versions/1/../../iris/infer",
        "/v2/models/iris%2f..%2f..%2fv2%2frepository%2findex",
        "/v2/models/iris%2F..%2F..%2Fmetrics",
        "/v2/models/iris%5c..%5c..%5cmetrics",
        "/v2/models/iris%5C..%5C..%5Cmetrics",
        "/v2/models/iris/%252e%252e/%252e%252e/metrics",
        "/v2/models/iris/%252F/infer",
        "/v2/models/iris%25/infer",
        "/v2/models/%zz/infer",
        "/v2/models/%/infer",
        "/v2/models/iris%/infer",
        "/v2/models/iris%2/infer",
        "/v2/models/%G1/infer",
        "/v2/models/iris/versions/%zz/infer",
        "/v1/models/%zz:predict",
        "/v1/models/iris/versions/%zz:predict",
        "/v2/models//iris/infer",
        "/v2//models/iris/infer",
        "//v2/models/iris/infer",
        "/v2/models/iris/infer/",
        "/v2/models/iris/versions//infer",
        "/v2/models/iris\\..\\..\\metrics",
        "/v2/models/iris%00/infer",
        "/v2/models/iris%0d%0aX-Evil:%201/infer",
        "/v2/models/iris%1F/infer",
        "/v2/models/iris%7f/infer",
        "/v2/models/iris\u0000/infer",
        "/v2/models/iris\u0001/infer",
        "/v2/models/iris\u007f/infer",
        "/v2/models/iris\u00e9/infer",
        "/v2/models/iris\u00c3\u00a9/infer",
        "/v2/models/%69ris/infer",
        "/v2/models/iris/infer?x=\u0001",
        "/v2/models/iris/infer?x=%00",
        "/v2/models/iris/infer?x=%1b",
        "/v2/models/iris/infer?x=%zz",
        "/v2/models/iris/infer#frag",
        "http://127.0.0.1/v2/models/iris/infer",
        "http://127.0.0.1/v2/models/iris/../../../v2/repository/index",
        "*",
      })
  void refusesNonCanonicalTargetsWith400BeforeAuth(String target) {
    assertRefusedBeforeAuth(send("POST", target), target);
  }

  /**
   * Bytes that Netty's request-line parser takes for whitespace split the line itself: Vert.x's
   * decoder refuses the request (400, connection closed) before any step runs. Still never a 401,
   * and never forwarded. (Sent without a body: Vert.x's default invalid-request handler closes at
   * once, so unread body bytes would turn the close into a reset; see the issue's 431 item.)
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "/v2/models/iris\u000b/infer",
        "/v2/models/iris\u000c/infer",
        "/v2/models/iris\t/infer",
        "/v2/models/iris\r/infer"
      })
  void requestLinesThatDoNotParseAreRefusedWith400(String target) {
    RawHttp.Answer a = send("GET", target);
    assertEquals(400, a.status(), a.head());
  }

  @Test
  void theIssuesExploitWithAConsumerTokenNeverReachesTheControlApi() {
    String exploit = "/v2/models/iris/../../../../../v2/repository/models/iris/unload";
    for (String target :
        List.of(exploit, exploit.replace("..", "%2e%2e"), exploit.replace("..", "%2E%2e"))) {
      RawHttp.Answer a = send("POST", target, "Authorization: Bearer " + token);
      assertRefusedBeforeAuth(a, target);
    }
    for (FakeModelServer.Received r : iris.received()) {
      assertFalse(r.uri().contains("repository"), "reached " + r);
    }
  }

  @Test
  void asteriskFormOptionsIsRefused() {
    assertRefusedBeforeAuth(send("OPTIONS", "*"), "OPTIONS *");
  }

  @Test
  void canonicalTargetsStillMeetAuthFirst() {
    RawHttp.Answer a = send("POST", "/v2/models/iris/infer");
    assertEquals(401, a.status(), a.head());
  }

  /** Each accepted form, and exactly the path the model server received for it. */
  @ParameterizedTest
  @CsvSource({
    "GET,  /v2/models/iris,                          iris, /v2/models/iris/versions/1",
    "GET,  /v2/models/iris/ready,                    iris, /v2/models/iris/versions/1/ready",
    "POST, /v2/models/iris/infer,                    iris, /v2/models/iris/versions/1/infer",
    "GET,  /v2/models/iris/config,                   iris, /v2/models/iris/versions/1/config",
    "GET,  /v2/models/iris/stats,                    iris, /v2/models/iris/versions/1/stats",
    "GET,  /v2/models/iris/versions/2,               iris, /v2/models/iris/versions/2",
    "GET,  /v2/models/iris/versions/2/ready,         iris, /v2/models/iris/versions/2/ready",
    "POST, /v2/models/iris/versions/2/infer,         iris, /v2/models/iris/versions/2/infer",
    "POST, /v2/models/iris/versions/v2.1_rc-1/infer, iris, /v2/models/iris/versions/v2.1_rc-1/infer",
    "POST, /v2/models/iris/infer?trace=1&x=a%20b,    iris, /v2/models/iris/versions/1/infer?trace=1&x=a%20b",
    "POST, /v1/models/iris:predict,                  iris, /v1/models/iris/versions/1:predict",
    "POST, /v1/models/iris/versions/2:predict,       iris, /v1/models/iris/versions/2:predict",
    "POST, /v2/models/wine/infer,                    wine, /v2/models/wine/infer",
    "GET,  /v2/models/wine,                          wine, /v2/models/wine",
    "GET,  /v2/models/wine/versions/3/ready,         wine, /v2/models/wine/versions/3/ready",
    "POST, /v1/models/wine:predict,                  wine, /v1/models/wine:predict",
  })
  void forwardsExactlyThePathItMatchedAndRebuilt(
      String method, String target, String server, String upstream) {
    String id = "path-test-" + IDS.incrementAndGet();
    RawHttp.Answer a =
        send(method, target, "Authorization: Bearer " + token, "x-request-id: " + id);
    assertEquals(200, a.status(), target + " -> " + a.head() + "\n" + a.body());
    FakeModelServer fake = server.equals("iris") ? iris : wine;
    assertEquals(upstream, fake.uriOf(id), target);
  }

  /** Well-formed paths outside the grammar: 404 JSON as before, and no model server sees them. */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "/v2/models/iris/unload",
        "/v2/models/iris/versions/1/load",
        "/v2/models/iris/infer/more",
        "/v2/models/iris/versions",
        "/v2/models/iris/versions/1/infer/more",
        "/v2/models/iris/versions/1;x=y/infer",
        "/v2/models/iris/versions/-1/infer",
        "/v2/models/iris/versions/1/versions/2/infer",
        "/v2/models/iris;x/infer",
        "/v2/models/iris:predict",
        "/v1/models/iris:explain",
        "/v1/models/iris/infer",
        "/v1/models/iris/ready",
        "/v1/models",
        "/v2/models/stats",
        "/v2/repository/index",
        "/v2/repository/models/iris/unload",
        "/v2/repository/models/iris/load",
        "/metrics",
      })
  void pathsOutsideTheGrammarGet404AndReachNoModelServer(String target) {
    long before = forwarded(iris);
    RawHttp.Answer a = send("POST", target, "Authorization: Bearer " + token);
    assertEquals(404, a.status(), target + " -> " + a.head() + "\n" + a.body());
    assertNotNull(a.json().getString("error"));
    assertEquals(before, forwarded(iris), "nothing forwarded for " + target);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/v2/models/iris/config",
        "/v2/models/iris/stats",
        "/v2/models/iris/versions/1/stats",
        "/v1/models/iris",
        "/v1/models/iris/versions/2",
        "/v2"
      })
  void configStatsV1StatusAndServerMetadataAreReadOnly(String target) {
    RawHttp.Answer a = send("POST", target, "Authorization: Bearer " + token);
    assertEquals(405, a.status(), target + " -> " + a.head());
    assertTrue(a.head().toLowerCase().contains("allow: get, head"), a.head());
  }
}
