package dev.infergate.router.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.router.testsupport.FakeModelServer;
import dev.infergate.router.testsupport.Http;
import dev.infergate.router.testsupport.ModelServerProcess;
import dev.infergate.router.testsupport.Poll;
import dev.infergate.router.testsupport.RouterHarness;
import dev.infergate.router.testsupport.ServiceYaml;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * OpenTelemetry traces (issue 21): the router (in this JVM) and a real model server process export
 * spans over OTLP/HTTP to a receiver in this test, which decodes them with the opentelemetry-proto
 * classes. A request with a known traceparent gives one trace: the router's server span, a client
 * span per try, the model server's server span under the try that reached it, and its queue-wait
 * and batch-compute children. Service {@code iris}: track {@code stable} is a fake that answers
 * 500, {@code backup} (the fallback) the real model server, so a request to stable is retried on
 * backup; {@code x-infergate-track: backup} goes there at once.
 */
class TracingTest {
  private static final Duration EXPORT_DEADLINE = Duration.ofSeconds(20);

  /** One decoded span and the service.name of the resource that sent it. */
  record Received(String service, Span span) {
    String traceId() {
      return HexFormat.of().formatHex(span.getTraceId().toByteArray());
    }

    String spanId() {
      return HexFormat.of().formatHex(span.getSpanId().toByteArray());
    }

    String parentId() {
      return HexFormat.of().formatHex(span.getParentSpanId().toByteArray());
    }

    String attribute(String key) {
      for (KeyValue kv : span.getAttributesList()) {
        if (kv.getKey().equals(key)) {
          AnyValue v = kv.getValue();
          return v.hasIntValue() ? Long.toString(v.getIntValue()) : v.getStringValue();
        }
      }
      return null;
    }
  }

  private static Vertx vertx;
  private static final ConcurrentLinkedQueue<Received> spans = new ConcurrentLinkedQueue<>();
  private static HttpServer receiver;
  private static ModelServerProcess modelServer;
  private static FakeModelServer failing;
  private static RouterHarness router;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    receiver =
        vertx
            .createHttpServer()
            .requestHandler(
                req -> {
                  if (!req.method().name().equals("POST") || !req.path().equals("/v1/traces")) {
                    req.response().setStatusCode(404).end();
                    return;
                  }
                  req.body()
                      .onSuccess(
                          body -> {
                            try {
                              collect(ExportTraceServiceRequest.parseFrom(body.getBytes()));
                              req.response()
                                  .putHeader("content-type", "application/x-protobuf")
                                  .end(
                                      Buffer.buffer(
                                          ExportTraceServiceResponse.getDefaultInstance()
                                              .toByteArray()));
                            } catch (Exception e) {
                              req.response().setStatusCode(400).end();
                            }
                          });
                })
            .listen(0, "127.0.0.1")
            .await(10, TimeUnit.SECONDS);
    String endpoint = "http://127.0.0.1:" + receiver.actualPort();
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("infergate-tracing");
    java.nio.file.Path modelServerYaml =
        java.nio.file.Files.writeString(
            dir.resolve("model-server.yaml"),
            "tracing: { otlpEndpoint: " + endpoint + ", sampleRatio: 1.0 }\n");
    modelServer =
        ModelServerProcess.launch(
                "model-server-tracing",
                "config/models",
                List.of(),
                List.of("--config", modelServerYaml.toString()))
            .awaitReady();
    failing = FakeModelServer.start(vertx, "failing").mode(FakeModelServer.Mode.FAIL_500);
    router =
        RouterHarness.start(
            ServiceYaml.configWith(
                "allowTrackOverride: true\ntracing: { otlpEndpoint: "
                    + endpoint
                    + ", sampleRatio: 1.0 }\n",
                new ServiceYaml("iris")
                    .track("stable", 100, "1", failing.url())
                    .track("backup", 0, "1", modelServer.url())
                    .fallback("backup")
                    .retry("{ attempts: 2, budgetPercent: 100, minConcurrent: 16 }")));
  }

  private static void collect(ExportTraceServiceRequest request) {
    for (ResourceSpans rs : request.getResourceSpansList()) {
      String service = serviceName(rs.getResource());
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        for (Span s : ss.getSpansList()) {
          spans.add(new Received(service, s));
        }
      }
    }
  }

  private static String serviceName(Resource resource) {
    for (KeyValue kv : resource.getAttributesList()) {
      if (kv.getKey().equals("service.name")) {
        return kv.getValue().getStringValue();
      }
    }
    return null;
  }

  @AfterAll
  static void stop() throws Exception {
    if (router != null) {
      router.close();
    }
    if (modelServer != null) {
      modelServer.close();
    }
    if (failing != null) {
      failing.close();
    }
    if (vertx != null) {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aRequestIsOneTraceFromTheRoutersServerSpanThroughItsTryToTheModelServersQueueAndCompute() {
    String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    String callerSpan = "00f067aa0ba902b7";
    Http.Response ok =
        Http.send(
            Http.builder(
                    router.url("/v2/models/iris/infer"),
                    "traceparent",
                    "00-" + traceId + "-" + callerSpan + "-01",
                    "x-infergate-track",
                    "backup",
                    "content-type",
                    "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Http.irisV2("input")))
                .build());
    assertEquals(200, ok.status(), ok.body());

    List<Received> trace = awaitTrace(traceId, 5);
    Received server = only(trace, "infergate-router", Span.SpanKind.SPAN_KIND_SERVER);
    assertEquals(callerSpan, server.parentId(), "the router's span continues the caller's trace");
    assertEquals("iris", server.attribute("infergate.service"));
    assertEquals("backup", server.attribute("infergate.track"));
    assertEquals("200", server.attribute("http.response.status_code"));
    assertEquals("POST", server.attribute("http.request.method"));
    assertEquals("/v2/models/{model}/infer", server.attribute("http.route"));
    assertEquals("none", server.attribute("infergate.auth"));
    assertEquals("none", server.attribute("infergate.rate_limit"));
    Received client = only(trace, "infergate-router", Span.SpanKind.SPAN_KIND_CLIENT);
    assertEquals(server.spanId(), client.parentId());
    assertEquals("ANSWERED", client.attribute("infergate.try.outcome"));
    Received modelSpan = only(trace, "infergate-model-server", Span.SpanKind.SPAN_KIND_SERVER);
    assertEquals(
        client.spanId(),
        modelSpan.parentId(),
        "the model server's span hangs under the router's try");
    assertEquals("iris", modelSpan.attribute("infergate.model"));
    assertEquals("1", modelSpan.attribute("infergate.model.version"));
    Received queue = named(trace, "queue wait");
    Received compute = named(trace, "batch compute");
    assertEquals(modelSpan.spanId(), queue.parentId());
    assertEquals(modelSpan.spanId(), compute.parentId());
    assertEquals("1", compute.attribute("infergate.batch.size"));
  }

  @Test
  void aRetriedRequestShowsOneClientSpanPerTryAndTheModelServerUnderTheSecond() {
    String traceId = "0af7651916cd43dd8448eb211c80319c";
    Http.Response ok =
        Http.send(
            Http.builder(
                    router.url("/v2/models/iris/infer"),
                    "traceparent",
                    "00-" + traceId + "-b7ad6b7169203331-01",
                    "content-type",
                    "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Http.irisV2("input")))
                .build());
    assertEquals(200, ok.status(), ok.body());

    List<Received> trace = awaitTrace(traceId, 6);
    Received server = only(trace, "infergate-router", Span.SpanKind.SPAN_KIND_SERVER);
    assertEquals("2", server.attribute("infergate.tries"));
    List<Received> tries =
        trace.stream()
            .filter(r -> r.span().getKind() == Span.SpanKind.SPAN_KIND_CLIENT)
            .sorted((a, b) -> a.attribute("infergate.try").compareTo(b.attribute("infergate.try")))
            .toList();
    assertEquals(2, tries.size(), "one client span per try: " + trace);
    for (Received t : tries) {
      assertEquals(server.spanId(), t.parentId());
    }
    assertEquals("STATUS_5XX", tries.get(0).attribute("infergate.try.outcome"));
    assertEquals("stable", tries.get(0).attribute("infergate.track"));
    assertEquals("ANSWERED", tries.get(1).attribute("infergate.try.outcome"));
    assertEquals("backup", tries.get(1).attribute("infergate.track"));
    Received modelSpan = only(trace, "infergate-model-server", Span.SpanKind.SPAN_KIND_SERVER);
    assertEquals(tries.get(1).spanId(), modelSpan.parentId());
    assertTrue(failing.inferences() > 0, "the first try reached the failing endpoint");
  }

  @Test
  void withTracingOffNothingIsExportedAndTheCallersTraceparentStillGoesUpstream() throws Exception {
    String untracedId = "11111111111111111111111111111111";
    String untracedParent = "00-" + untracedId + "-2222222222222222-01";
    try (FakeModelServer ok = FakeModelServer.start(vertx, "untraced");
        RouterHarness untraced =
            RouterHarness.start(
                ServiceYaml.config(new ServiceYaml("iris").track("stable", 100, "1", ok.url())))) {
      Http.Response answer =
          Http.send(
              Http.builder(
                      untraced.url("/v2/models/iris/infer"),
                      "traceparent",
                      untracedParent,
                      "content-type",
                      "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(Http.irisV2("input")))
                  .build());
      assertEquals(200, answer.status(), answer.body());
      assertEquals(
          untracedParent,
          ok.lastHeaders().get("traceparent"),
          "without tracing the traceparent passes as is");
    }
    // A traced request after it: once its spans are in, the untraced router would have exported by
    // then too.
    String tracedId = "33333333333333333333333333333333";
    Http.Response traced =
        Http.send(
            Http.builder(
                    router.url("/v2/models/iris/infer"),
                    "traceparent",
                    "00-" + tracedId + "-4444444444444444-01",
                    "x-infergate-track",
                    "backup",
                    "content-type",
                    "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Http.irisV2("input")))
                .build());
    assertEquals(200, traced.status(), traced.body());
    awaitTrace(tracedId, 5);
    assertEquals(List.of(), inTrace(untracedId), "a router without tracing exports nothing");
  }

  private static List<Received> awaitTrace(String traceId, int atLeast) {
    Poll.until(
        EXPORT_DEADLINE,
        () -> inTrace(traceId).size() >= atLeast,
        "at least " + atLeast + " spans of trace " + traceId + " exported (so far: " + spans + ")");
    return inTrace(traceId);
  }

  private static List<Received> inTrace(String traceId) {
    return spans.stream().filter(r -> r.traceId().equals(traceId)).toList();
  }

  private static Received only(List<Received> trace, String service, Span.SpanKind kind) {
    List<Received> found =
        trace.stream()
            .filter(r -> service.equals(r.service()) && r.span().getKind() == kind)
            .toList();
    assertEquals(1, found.size(), service + " " + kind + " in " + trace);
    return found.get(0);
  }

  private static Received named(List<Received> trace, String name) {
    List<Received> found = trace.stream().filter(r -> r.span().getName().equals(name)).toList();
    assertEquals(1, found.size(), name + " in " + trace);
    return found.get(0);
  }
}
