package dev.infergate.router.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.router.config.ConfigParser;
import dev.infergate.router.config.ServiceConfig;
import dev.infergate.router.observability.MetricNames;
import dev.infergate.router.observability.RouterMetrics;
import dev.infergate.router.routing.ServiceRoute;
import dev.infergate.router.routing.TestRoutes;
import dev.infergate.router.testsupport.ServiceYaml;
import dev.infergate.router.upstream.Endpoint;
import dev.infergate.router.upstream.http.OutboundRequest;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Forwarding's retry, failover and timeout matrix with a fake transport, a fake client side and a
 * fake clock: no sockets, no real time. Each test sends one request and answers its tries by hand.
 * (ResilienceTest runs the same behaviours through real servers and a real router.)
 */
class ForwardingTest {
  private static final String STABLE_1 = "127.0.0.1:9001";
  private static final String STABLE_2 = "127.0.0.1:9002";
  private static final String BACKUP = "127.0.0.1:9003";

  private final RouterMetrics metrics = new RouterMetrics();
  private final FakeUpstream upstream = new FakeUpstream();
  private final FakeDownstream client = new FakeDownstream();
  private final Deadlines deadlines = new Deadlines();
  private final List<String> observed = new ArrayList<>();
  private long now = TimeUnit.HOURS.toNanos(1);
  private int capture;
  private Buffer captured;
  private Attempt lastAttempt;
  private ServiceRoute service;

  private final AttemptObserver observer =
      new AttemptObserver() {
        @Override
        public void started(Attempt a) {
          lastAttempt = a;
          observed.add("start " + a.number() + " " + a.track().name());
        }

        @Override
        public void ended(Attempt a, TryOutcome outcome) {
          observed.add("end " + a.number() + " " + a.track().name() + " " + outcome);
        }

        @Override
        public int captureBodyBytes() {
          return capture;
        }

        @Override
        public void relayed(Attempt a, int status, Buffer body, String error) {
          captured = body;
          observed.add("relayed " + a.number() + " " + status + (error == null ? "" : " cut"));
        }
      };

  /** Service {@code iris}: track stable (two endpoints) and backup (one, the fallback track). */
  private ServiceRoute service(String retry, long timeoutMillis) {
    String yaml =
        ServiceYaml.config(
            new ServiceYaml("iris")
                .track("stable", 100, "1", "http://" + STABLE_1, "http://" + STABLE_2)
                .track("backup", 0, "1", "http://" + BACKUP)
                .fallback("backup")
                .retry(retry)
                .timeoutMillis(timeoutMillis));
    try {
      ServiceConfig config = ConfigParser.parse(yaml, Map.of()).services().get("iris");
      return TestRoutes.service(config, metrics);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private void forward(String retry, long timeoutMillis) {
    service = service(retry, timeoutMillis);
    OutboundRequest request =
        new OutboundRequest(
            HttpMethod.POST,
            MultiMap.caseInsensitiveMultiMap(),
            "req-1",
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            "127.0.0.1",
            "router",
            "http",
            false,
            Buffer.buffer("{\"inputs\":[]}"));
    ForwardStep env = new ForwardStep(upstream, metrics, deadlines, () -> now, observer);
    new Forwarding(env, client, service, service.track("stable"), request, now, null).start();
  }

  private void advanceMillis(long millis) {
    now += TimeUnit.MILLISECONDS.toNanos(millis);
    deadlines.sweep(now);
  }

  private Endpoint endpoint(String track, String authority) {
    return service.track(track).endpoints().endpoints().stream()
        .filter(e -> e.authority().equals(authority))
        .findFirst()
        .orElseThrow();
  }

  private int outstanding() {
    int n = 0;
    for (var t : service.tracks()) {
      for (Endpoint e : t.endpoints().endpoints()) {
        n += e.outstanding();
      }
    }
    return n;
  }

  private void assertSettled() {
    assertEquals(1, client.completions, "the request is recorded exactly once");
    assertEquals(0, outstanding(), "every try was settled with its endpoint");
    assertEquals(0, service.budget().retriesInFlight(), "no retry slot is left taken");
    assertEquals(0, service.budget().requestsInFlight());
  }

  @Test
  void aRefusedConnectIsRetriedOnTheOtherEndpointEvenWithOneAttempt() {
    forward(
        "{ attempts: 1, budgetPercent: 20, minConcurrent: 16, perTryTimeoutMillis: 1000 }", 3000);
    FakeUpstream.Exchange first = upstream.last();
    first.refuse();
    assertEquals(
        2,
        upstream.sent.size(),
        "retried although retry.attempts is 1: a refused try does not count");
    FakeUpstream.Exchange second = upstream.last();
    assertNotEquals(first.authority, second.authority, "another endpoint of the track");
    assertFalse(
        endpoint("stable", first.authority).healthy(),
        "a refusing endpoint is not picked until a check passes");
    second.head(200, "content-type", "application/json").body("{\"ok\":true}").end();
    assertEquals(200, client.status);
    assertEquals("{\"ok\":true}", client.body.toString());
    assertEquals("stable", client.servedTrack);
    assertEquals(2, client.tries);
    assertEquals(
        List.of(
            "start 1 stable",
            "end 1 stable REFUSED",
            "start 2 stable",
            "end 2 stable ANSWERED",
            "relayed 2 200"),
        observed);
    assertSettled();
  }

  @Test
  void aResetIsRetriedWithinTheBudgetAndTheAnswerRelayed() {
    forward(
        "{ attempts: 3, budgetPercent: 20, minConcurrent: 16, perTryTimeoutMillis: 1000 }", 3000);
    upstream.last().closeBeforeHead();
    assertEquals(
        1, service.budget().retriesInFlight(), "the retry holds a budget slot while it runs");
    upstream.last().head(200).body("ok").end();
    assertEquals(200, client.status);
    assertSettled();
  }

  @Test
  void a5xxIsRetriedAndItsBodyDiscardedForTheConnection() {
    forward(
        "{ attempts: 3, budgetPercent: 20, minConcurrent: 16, perTryTimeoutMillis: 1000 }", 3000);
    FakeUpstream.Exchange first = upstream.last();
    first.head(503).body("overloaded");
    assertTrue(first.discarded, "the 5xx body is read and dropped so the connection can be pooled");
    upstream.last().head(200).body("ok").end();
    assertEquals(200, client.status);
    assertEquals("ok", client.body.toString());
    assertSettled();
  }

  @Test
  void a5xxWithTheRetryBudgetSpentIsPassedOnAsItCame() {
    forward(
        "{ attempts: 3, budgetPercent: 20, minConcurrent: 1, perTryTimeoutMillis: 1000 }", 3000);
    assertTrue(service.budget().tryStartRetry(), "another request's retry takes the only slot");
    upstream.last().head(503, "retry-after", "1").body("overloaded").end();
    service.budget().retryEnded();
    assertEquals(1, upstream.sent.size(), "not retried");
    assertEquals(503, client.status);
    assertEquals("overloaded", client.body.toString(), "the model server's own answer");
    assertEquals(1.0, metrics.registry().get(MetricNames.RETRY_BUDGET_EXHAUSTED).counter().count());
    assertSettled();
  }

  @Test
  void a501IsAnAnswerNotAFault() {
    forward(
        "{ attempts: 3, budgetPercent: 20, minConcurrent: 16, perTryTimeoutMillis: 1000 }", 3000);
    upstream.last().head(501).body("no").end();
    assertEquals(1, upstream.sent.size());
    assertEquals(501, client.status);
    assertEquals(List.of("start 1 stable", "end 1 stable ANSWERED", "relayed 1 501"), observed);
    assertSettled();
  }

  @Test
  void whenTheTrackIsExhaustedItFailsOverOnceThenAnswers503() {
    forward(
        "{ attempts: 5, budgetPercent: 20, minConcurrent: 16, perTryTimeoutMillis: 1000 }", 3000);
    upstream.last().closeBeforeHead();
    upstream.last().closeBeforeHead();
    assertEquals(3, upstream.sent.size());
    assertEquals(
        BACKUP, upstream.last().authority, "both stable endpoints failed: the fallback track");
    upstream.last().closeBeforeHead();
    assertEquals(3, upstream.sent.size(), "no second failover, no endpoint left");
    assertEquals(503, client.status);
    assertEquals(
        "no endpoint of service 'iris' could answer (last error: connection closed or reset; "
            + "not retried: no endpoint left to try)",
        client.message);
    assertEquals("backup", client.servedTrack);
    assertEquals(
        List.of(
            "start 1 stable",
            "end 1 stable RESET",
            "start 2 stable",
            "end 2 stable RESET",
            "start 3 backup",
            "end 3 backup RESET"),
        observed);
    assertSettled();
  }

  @Test
  void aTryWithoutAHeadTimesOutAndIsRetriedThenTheRequestTimesOutWith504() {
    forward(
        "{ attempts: 5, budgetPercent: 20, minConcurrent: 16, perTryTimeoutMillis: 1000 }", 2500);
    FakeUpstream.Exchange first = upstream.last();
    advanceMillis(999);
    assertEquals(1, upstream.sent.size(), "not yet");
    advanceMillis(1);
    assertTrue(first.reset, "the timed-out try's exchange is abandoned");
    assertEquals(2, upstream.sent.size(), "a per-try timeout is retried");
    advanceMillis(1000);
    assertEquals(3, upstream.sent.size());
    FakeUpstream.Exchange third = upstream.last();
    assertEquals(Attempt.Phase.CONNECTING, lastAttempt.phase());
    advanceMillis(500);
    assertTrue(third.reset);
    assertEquals(3, upstream.sent.size(), "the request's own timeout is not retried");
    assertEquals(504, client.status);
    assertEquals("no answer within timeoutMillis=2500", client.message);
    assertEquals(Attempt.Phase.DONE, lastAttempt.phase());
    first.head(200); // a late answer from an abandoned try
    assertTrue(first.reset);
    assertEquals(
        List.of(
            "start 1 stable",
            "end 1 stable TRY_TIMEOUT",
            "start 2 stable",
            "end 2 stable TRY_TIMEOUT",
            "start 3 backup",
            "end 3 backup OVERALL_TIMEOUT"),
        observed);
    assertSettled();
  }

  @Test
  void aPerTryTimeoutWithNoRetryLeftAnswers504() {
    forward(
        "{ attempts: 1, budgetPercent: 20, minConcurrent: 16, perTryTimeoutMillis: 1000 }", 3000);
    advanceMillis(1000);
    assertEquals(504, client.status);
    assertEquals(
        "no answer from service 'iris' in time: try timed out after 1000 ms", client.message);
    assertSettled();
  }

  @Test
  void theOverallTimeoutDuringTheRelayCutsTheResponse() {
    forward(
        "{ attempts: 3, budgetPercent: 20, minConcurrent: 16, perTryTimeoutMillis: 1000 }", 3000);
    FakeUpstream.Exchange first = upstream.last();
    first.head(200).body("part");
    advanceMillis(5000); // the per-try timeout no longer applies once the head is in
    assertTrue(first.reset);
    assertTrue(client.reset, "the head is out: the connection is cut");
    assertEquals(504, client.completedStatus);
    assertSettled();
  }

  @Test
  void theClientGoingMidRelayAbandonsTheExchange() {
    forward(
        "{ attempts: 3, budgetPercent: 20, minConcurrent: 16, perTryTimeoutMillis: 1000 }", 3000);
    FakeUpstream.Exchange first = upstream.last();
    first.head(200).body("part");
    assertEquals(Attempt.Phase.RELAYING, lastAttempt.phase());
    client.clientGoes();
    assertTrue(first.reset, "the upstream exchange is abandoned");
    first.body("more").end();
    assertEquals("part", client.body.toString());
    assertEquals(499, client.completedStatus);
    assertEquals(Attempt.Phase.DONE, lastAttempt.phase());
    assertSettled();
  }

  @Test
  void theClientGoingBeforeTheHeadReleasesTheEndpoint() {
    forward(
        "{ attempts: 3, budgetPercent: 20, minConcurrent: 16, perTryTimeoutMillis: 1000 }", 3000);
    FakeUpstream.Exchange first = upstream.last();
    client.clientGoes();
    assertTrue(first.reset);
    assertEquals(499, client.completedStatus);
    assertEquals(List.of("start 1 stable", "end 1 stable CLIENT_GONE"), observed);
    assertSettled();
  }

  @Test
  void aCapturingObserverSeesTheRelayedStatusAndTheBodysStart() {
    capture = 4;
    forward(
        "{ attempts: 3, budgetPercent: 20, minConcurrent: 16, perTryTimeoutMillis: 1000 }", 3000);
    upstream.last().head(200).body("{\"out").body("puts\":[1]}").end();
    assertEquals("{\"ou", captured.toString());
    assertSettled();
  }

  @Test
  void everyTrySendsTheSameRequest() {
    forward(
        "{ attempts: 3, budgetPercent: 20, minConcurrent: 16, perTryTimeoutMillis: 1000 }", 3000);
    upstream.last().closeBeforeHead();
    upstream.last().head(200).end();
    assertEquals(
        upstream.sent.get(0).request, upstream.sent.get(1).request, "built once, sent again");
    assertNull(client.completedError);
  }
}
