package dev.infergate.router.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.router.testsupport.AuthYaml;
import dev.infergate.router.testsupport.Http;
import dev.infergate.router.testsupport.ModelServerProcess;
import dev.infergate.router.testsupport.RouterHarness;
import dev.infergate.router.testsupport.ServiceYaml;
import dev.infergate.router.testsupport.TestKeys;
import dev.infergate.router.testsupport.TestTokens;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Seeded hostile traffic ({@link HostileRequests}) through a router with auth on to three real
 * model servers, as an attacker with a valid consumer token (and without one) would send it. Every
 * request must get an answer within {@link #ANSWER_DEADLINE_MILLIS}, none a 5xx, and afterwards no
 * breaker is open, the models are all still loaded (the control API was never reached) and every
 * track serves.
 */
class HostileTrafficFuzzTest {
  private static final long SEED = 17L;
  private static final int CASES = 2500;
  private static final int CLIENTS = 4;
  private static final long ANSWER_DEADLINE_MILLIS = 2000;
  private static final long TIME_BUDGET_SECONDS = 150;

  private static final List<ModelServerProcess> servers = new ArrayList<>();
  private static RouterHarness router;
  private static TestKeys key;

  @BeforeAll
  static void start() throws Exception {
    for (String name : List.of("fuzz-stable-1", "fuzz-stable-2", "fuzz-canary")) {
      servers.add(ModelServerProcess.launch(name));
    }
    servers.forEach(ModelServerProcess::awaitReady);
    key = TestKeys.ec("fuzz-key");
    Path dir = Files.createTempDirectory("infergate-fuzz");
    Path jwks = TestKeys.writeJwks(dir.resolve("jwks.json"), key);
    // Read deadlines well inside the answer deadline: a stalled body (a Content-Length longer than
    // what
    // follows, a chunked body without its last chunk) must be answered 408 in time too.
    router =
        RouterHarness.start(
            dir,
            ServiceYaml.configWith(
                AuthYaml.auth(jwks)
                    + "rateLimits: { default: { perSecond: 100000, burst: 100000 } }\n"
                    + "limits: { headerTimeoutMillis: 1000, bodyTimeoutMillis: 1000 }\n",
                new ServiceYaml("iris")
                    .track("stable", 80, "1", servers.get(0).url(), servers.get(1).url())
                    .track("canary", 20, "2", servers.get(2).url())
                    .fallback("stable")
                    .breaker(
                        "{ failureRatePercent: 50, slowCallMillis: 2000, window: 10, openMillis: 60000 }")
                    .health("{ path: /v2/health/ready, intervalMillis: 1000 }")));
  }

  @AfterAll
  static void stop() throws Exception {
    if (router != null) {
      router.close();
    }
    for (ModelServerProcess p : servers) {
      p.close();
    }
  }

  @Test
  void hostileRequestsGetA4xxInTimeAndLeaveEveryServerServing() throws Exception {
    List<String> tokens = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      tokens.add(TestTokens.forSubject("consumer-" + i).signEs256(key));
    }
    String stranger = TestTokens.forSubject("mallory").signEs256(TestKeys.ec("fuzz-key"));
    // Warm up (tokens verified and cached, code compiled): the deadline is about hangs, not a cold
    // JVM.
    for (String token : tokens) {
      Http.Response r =
          Http.post(
              router.url("/v2/models/iris/infer"),
              Http.irisV2("input"),
              "authorization",
              "Bearer " + token);
      assertEquals(200, r.status(), r.body());
    }
    HostileRequests requests = new HostileRequests(SEED, tokens, stranger);
    List<String> failures = Collections.synchronizedList(new ArrayList<>());
    Map<Integer, Integer> statuses = Collections.synchronizedMap(new TreeMap<>());
    long budgetEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIME_BUDGET_SECONDS);
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    try {
      List<Future<?>> sent = new ArrayList<>();
      for (int i = 0; i < CASES; i++) {
        HostileRequests.Case c = requests.next();
        sent.add(
            clients.submit(
                () -> {
                  if (System.nanoTime() > budgetEnd) {
                    return;
                  }
                  String problem = send(c, statuses);
                  if (problem != null) {
                    failures.add(c.description() + ": " + problem);
                  }
                }));
      }
      for (Future<?> f : sent) {
        f.get(TIME_BUDGET_SECONDS + 30, TimeUnit.SECONDS);
      }
    } finally {
      clients.shutdownNow();
    }
    assertTrue(
        failures.isEmpty(),
        failures.size()
            + " of "
            + CASES
            + " hostile requests were mishandled (statuses "
            + statuses
            + "), first ones:\n"
            + String.join("\n", failures.subList(0, Math.min(25, failures.size()))));
    int answered = statuses.values().stream().mapToInt(Integer::intValue).sum();
    assertTrue(
        answered >= CASES / 2,
        "most cases ran within the time budget: " + answered + " of " + CASES);

    String admin = TestTokens.forSubject("ops").roles(AuthYaml.ADMIN_ROLE).signEs256(key);
    Http.Response upstreams =
        Http.get(router.adminUrl("/admin/upstreams"), "authorization", "Bearer " + admin);
    assertEquals(200, upstreams.status(), upstreams.body());
    assertTrue(upstreams.body().contains("\"CLOSED\""), upstreams.body());
    assertTrue(
        !upstreams.body().contains("\"OPEN\"") && !upstreams.body().contains("HALF_OPEN"),
        "no breaker opened: " + upstreams.body());
    for (int i = 0; i < servers.size(); i++) {
      String version = i < 2 ? "1" : "2";
      Http.Response ready =
          Http.get(servers.get(i).url() + "/v2/models/iris/versions/" + version + "/ready");
      assertEquals(
          200,
          ready.status(),
          "model server " + i + " still has iris/" + version + " loaded: " + ready.body());
    }
    String tester = TestTokens.forSubject("tester").roles(AuthYaml.OVERRIDE_ROLE).signEs256(key);
    for (String track : List.of("stable", "canary")) {
      Http.Response r =
          Http.post(
              router.url("/v2/models/iris/infer"),
              Http.irisV2("input"),
              "authorization",
              "Bearer " + tester,
              "x-infergate-track",
              track);
      assertEquals(200, r.status(), track + " still serves: " + r.body());
      assertEquals(track, r.header("x-infergate-track"));
    }
  }

  /**
   * Sends one case on its own connection; null when it was answered in time with a status below
   * 500.
   */
  private static String send(HostileRequests.Case c, Map<Integer, Integer> statuses) {
    try (Socket socket = new Socket("127.0.0.1", router.server().port())) {
      socket.setSoTimeout((int) ANSWER_DEADLINE_MILLIS);
      long start = System.nanoTime();
      OutputStream out = socket.getOutputStream();
      try {
        out.write(c.bytes());
        out.flush();
      } catch (IOException e) {
        // The router may close a connection whose head it refused while the rest is still being
        // sent;
        // its answer, if any, is still in the socket to read.
      }
      InputStream in = socket.getInputStream();
      String status = readLine(in);
      while (status.startsWith(
          "HTTP/1.1 100")) { // an interim answer to expect: 100-continue; the real one follows
        while (!readLine(in).isEmpty()) {
          // its (empty) header block
        }
        status = readLine(in);
      }
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      if (status.isEmpty()) {
        return "connection closed without an answer after " + millis + " ms";
      }
      String[] parts = status.split(" ");
      int code = parts.length > 1 ? Integer.parseInt(parts[1]) : -1;
      statuses.merge(code, 1, Integer::sum);
      if (code < 200 || code >= 500) {
        return "answered '" + status + "'";
      }
      return null;
    } catch (SocketTimeoutException e) {
      return "no answer within " + ANSWER_DEADLINE_MILLIS + " ms";
    } catch (IOException | RuntimeException e) {
      return "failed: " + e;
    }
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0 && b != '\n') {
      line.write(b);
    }
    return line.toString(StandardCharsets.ISO_8859_1).trim();
  }
}
