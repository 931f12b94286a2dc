package dev.infergate.router.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.router.testsupport.FakeModelServer;
import dev.infergate.router.testsupport.Http;
import dev.infergate.router.testsupport.RawHttp;
import dev.infergate.router.testsupport.RouterHarness;
import dev.infergate.router.testsupport.TwoModelRouter;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 18 through a router with auth on: V1 model status, Triton's config and stats of routed
 * models are forwarded with the track's version pin; {@code GET /v2} is the router's own server
 * metadata, after the canonical-target check and after auth; the repository API and the model
 * servers' lists are never forwarded; compressed bodies pass through untouched both ways.
 */
class ModelApiForwardingTest {
  private static Vertx vertx;
  private static FakeModelServer iris;
  private static FakeModelServer wine;
  private static RouterHarness router;
  private static String token;

  private static TwoModelRouter fixture;

  @BeforeAll
  static void start() throws Exception {
    fixture = TwoModelRouter.start("alice");
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

  @ParameterizedTest
  @CsvSource({
    "/v1/models/iris,                   iris, /v1/models/iris/versions/1",
    "/v1/models/iris/versions/2,        iris, /v1/models/iris/versions/2",
    "/v1/models/wine,                   wine, /v1/models/wine",
    "/v2/models/iris/config,            iris, /v2/models/iris/versions/1/config",
    "/v2/models/iris/versions/2/config, iris, /v2/models/iris/versions/2/config",
    "/v2/models/iris/stats,             iris, /v2/models/iris/versions/1/stats",
    "/v2/models/iris/versions/2/stats,  iris, /v2/models/iris/versions/2/stats",
    "/v2/models/wine/stats,             wine, /v2/models/wine/stats",
  })
  void forwardsModelStatusConfigAndStatsWithTheTracksVersionPin(
      String path, String model, String upstream) {
    String requestId = "fwd-" + Math.abs(path.hashCode());
    Http.Response r =
        Http.get(router.url(path), "authorization", "Bearer " + token, "x-request-id", requestId);
    assertEquals(200, r.status(), r.body());
    assertEquals(model, r.json().getString("served_by"));
    assertEquals(upstream, (model.equals("iris") ? iris : wine).uriOf(requestId));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/v1/models/iris", "/v2/models/iris/config", "/v2/models/iris/stats"})
  void forwardedReadsNeedAToken(String path) {
    assertEquals(401, Http.get(router.url(path)).status());
  }

  @Test
  void answersServerMetadataItselfForAuthenticatedClientsOnly() {
    long before = forwarded();
    Http.Response anonymous = Http.get(router.url("/v2"));
    assertEquals(401, anonymous.status(), anonymous.body());
    Http.Response r = Http.get(router.url("/v2"), "authorization", "Bearer " + token);
    assertEquals(200, r.status(), r.body());
    JsonObject metadata = r.json();
    assertEquals("infergate", metadata.getString("name"));
    assertTrue(!metadata.getString("version").isEmpty());
    JsonArray extensions = metadata.getJsonArray("extensions");
    assertTrue(
        extensions.contains("model_configuration")
            && extensions.contains("statistics")
            && extensions.contains("binary_tensor_data"),
        r.body());
    assertTrue(
        !extensions.contains("model_repository"),
        "the repository API is never forwarded: " + r.body());
    assertTrue(r.header("x-request-id") != null);
    assertEquals(before, forwarded(), "no model server was asked");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/v2/", "/v2/.", "/v2/models/../", "/v2%2f", "/v2/./"})
  void serverMetadataLookalikesAreRefusedBeforeAuth(String target) {
    RawHttp.Answer a = RawHttp.send(router.server().port(), "GET", target, null);
    assertEquals(400, a.status(), target + " -> " + a.head());
    assertTrue(!a.head().toLowerCase().contains("www-authenticate"), a.head());
  }

  @ParameterizedTest
  @CsvSource({
    "GET,  /v2/repository/index",
    "POST, /v2/repository/index",
    "POST, /v2/repository/models/iris/load",
    "POST, /v2/repository/models/iris/unload",
    "GET,  /v2/models/stats",
    "GET,  /v1/models",
    "GET,  /metrics",
  })
  void neverForwardsTheRepositoryApiNorTheServersOwnLists(String method, String path) {
    long before = forwarded();
    RawHttp.Answer a =
        RawHttp.send(
            router.server().port(),
            method,
            path,
            method.equals("POST") ? "{}" : null,
            "Authorization: Bearer " + token);
    assertEquals(404, a.status(), path + " -> " + a.head() + "\n" + a.body());
    assertEquals(before, forwarded(), "nothing forwarded for " + method + " " + path);
  }

  @Test
  void passesCompressedBodiesThroughUntouchedBothWays() {
    byte[] gzipped = gzip(Http.irisV2("input").getBytes(StandardCharsets.UTF_8));
    HttpResponse<byte[]> r =
        Http.sendBytes(
            Http.builder(
                    router.url("/v2/models/iris/infer"),
                    "authorization",
                    "Bearer " + token,
                    "content-type",
                    "application/json",
                    "content-encoding",
                    "gzip",
                    "accept-encoding",
                    "gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(gzipped))
                .build());
    assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.ISO_8859_1));
    assertEquals(
        "gzip",
        iris.lastHeaders().get("content-encoding"),
        "the request's coding reached the model server");
    assertEquals("gzip", iris.lastHeaders().get("accept-encoding"));
    assertEquals(
        "gzip",
        r.headers().firstValue("content-encoding").orElse(null),
        "the answer's coding reached the client");
    assertEquals("Accept-Encoding", r.headers().firstValue("vary").orElse(null));
    JsonObject answer = new JsonObject(new String(gunzip(r.body()), StandardCharsets.UTF_8));
    CRC32 crc = new CRC32();
    crc.update(gzipped);
    assertEquals(
        gzipped.length,
        answer.getInteger("body_bytes"),
        "the model server got the compressed bytes as sent");
    assertEquals(crc.getValue(), answer.getLong("body_crc32"));
  }

  @Test
  void aPlainAnswerStaysPlainWhenTheClientAcceptsNoCoding() {
    HttpResponse<byte[]> r =
        Http.sendBytes(
            Http.builder(
                    router.url("/v2/models/iris/infer"),
                    "authorization",
                    "Bearer " + token,
                    "content-type",
                    "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Http.irisV2("input")))
                .build());
    assertEquals(200, r.statusCode());
    assertNull(r.headers().firstValue("content-encoding").orElse(null));
    assertNull(
        iris.lastHeaders().get("accept-encoding"), "the router adds no Accept-Encoding of its own");
    assertArrayEquals(new byte[] {'{'}, new byte[] {r.body()[0]});
  }

  /** Requests that came through the router (it sends an x-request-id; health checks do not). */
  private static long forwarded() {
    return iris.received().stream().filter(r -> r.requestId() != null).count()
        + wine.received().stream().filter(r -> r.requestId() != null).count();
  }

  private static byte[] gzip(byte[] data) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
      out.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static byte[] gunzip(byte[] data) {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(data))) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
