package dev.infergate.router.testsupport;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;

/**
 * An in-JVM stand-in for a model server on a random port: KServe-shaped answers that say which
 * server and which model version served them, with switchable faults. Thread-safe.
 */
public final class FakeModelServer implements AutoCloseable {
  /** What inference requests get. Health checks are governed by {@link #ready(boolean)} only. */
  /**
   * RESET closes the connection on an inference instead of answering, as a replica that dies
   * mid-request.
   */
  /**
   * FAIL_400 and FAIL_404 answer as a model server answers bad client input (not the replica's
   * fault).
   */
  public enum Mode {
    OK,
    FAIL_500,
    FAIL_501,
    FAIL_400,
    FAIL_404,
    HANG,
    SLOW,
    HOLD,
    RESET
  }

  /**
   * One request as it arrived: method, the request target exactly as sent, and its x-request-id (or
   * null).
   */
  public record Received(String method, String uri, String requestId) {}

  /** How long {@link Mode#SLOW} waits before answering. */
  public static final long SLOW_MILLIS = 700;

  private final String name;
  private final HttpServer server;
  private volatile Mode mode = Mode.OK;
  private volatile boolean ready = true;
  private final AtomicInteger inferences = new AtomicInteger();
  private final AtomicInteger healthChecks = new AtomicInteger();

  /** Inferences that {@link Mode#HOLD} keeps waiting until {@link #release()}. */
  private final java.util.Queue<Runnable> held = new java.util.concurrent.ConcurrentLinkedQueue<>();

  private final Map<String, String> lastHeaders = new ConcurrentHashMap<>();
  private volatile String lastUri;
  private final java.util.Queue<Received> received =
      new java.util.concurrent.ConcurrentLinkedQueue<>();

  /**
   * Model versions ("iris/2"; "iris/*": the whole model) that are not loaded: ready, metadata and
   * infer answer 404.
   */
  private final java.util.Set<String> unloaded = ConcurrentHashMap.newKeySet();

  private final Vertx vertx;
  private final String host;

  private FakeModelServer(String name, Vertx vertx, String host) {
    this.name = name;
    this.vertx = vertx;
    this.host = host;
    this.server = vertx.createHttpServer().requestHandler(this::handle);
  }

  public static FakeModelServer start(Vertx vertx, String name) throws Exception {
    return start(vertx, name, "127.0.0.1", 0);
  }

  /**
   * A server on {@code host} (any 127.0.0.0/8 address works on Linux loopback) and {@code port} (0:
   * a free one), to stand for one pod of several that share a port behind a DNS name.
   */
  public static FakeModelServer start(Vertx vertx, String name, String host, int port)
      throws Exception {
    FakeModelServer s = new FakeModelServer(name, vertx, host);
    s.server.listen(port, host).await(10, TimeUnit.SECONDS);
    return s;
  }

  public String host() {
    return host;
  }

  public String name() {
    return name;
  }

  public int port() {
    return server.actualPort();
  }

  public String url() {
    return "http://" + host + ":" + port();
  }

  public FakeModelServer mode(Mode m) {
    this.mode = m;
    return this;
  }

  public FakeModelServer ready(boolean r) {
    this.ready = r;
    return this;
  }

  public int inferences() {
    return inferences.get();
  }

  public int healthChecks() {
    return healthChecks.get();
  }

  /** Inferences that {@link Mode#HOLD} keeps waiting now. */
  public int held() {
    return held.size();
  }

  /** Answers every inference that {@link Mode#HOLD} kept waiting. */
  public void release() {
    for (Runnable answer = held.poll(); answer != null; answer = held.poll()) {
      answer.run();
    }
  }

  /** Headers of the last inference request, names lower-cased. */
  public Map<String, String> lastHeaders() {
    return Map.copyOf(lastHeaders);
  }

  public String lastUri() {
    return lastUri;
  }

  /** Every request this server received, health checks included, in arrival order. */
  public java.util.List<Received> received() {
    return java.util.List.copyOf(received);
  }

  /** The request target of the request that carried this {@code x-request-id}, or null. */
  public String uriOf(String requestId) {
    for (Received r : received) {
      if (requestId.equals(r.requestId())) {
        return r.uri();
      }
    }
    return null;
  }

  /**
   * Unloads ({@code false}) or loads again one model version, as the model server's repository API
   * would: while unloaded, {@code /v2/models/{model}/versions/{version}[/ready|/infer]} (and V1
   * {@code :predict}) answer 404, while the server itself stays ready. A null version stands for
   * the whole model: every version and the unversioned paths.
   */
  public FakeModelServer modelLoaded(String model, String version, boolean loaded) {
    String key = model + "/" + (version == null ? "*" : version);
    if (loaded) {
      unloaded.remove(key);
    } else {
      unloaded.add(key);
    }
    return this;
  }

  private void handle(HttpServerRequest req) {
    String path = req.path();
    received.add(new Received(req.method().name(), req.uri(), req.getHeader("x-request-id")));
    if (path.startsWith("/v2/health/")) {
      healthChecks.incrementAndGet();
      req.response().setStatusCode(ready || path.endsWith("/live") ? 200 : 503).end();
      return;
    }
    req.body()
        .onSuccess(
            body -> {
              boolean inference = path.endsWith("/infer") || path.contains(":predict");
              if (path.startsWith("/v2/models/") || path.startsWith("/v1/models/")) {
                String model = modelOf(path);
                String version = versionOf(path);
                if (unloaded.contains(model + "/" + version) || unloaded.contains(model + "/*")) {
                  req.response()
                      .setStatusCode(404)
                      .putHeader("content-type", "application/json")
                      .end(
                          new JsonObject()
                              .put("error", "unknown model '" + model + "' version " + version)
                              .encode());
                  return;
                }
              }
              if (inference) {
                inferences.incrementAndGet();
                lastUri = req.uri();
                lastHeaders.clear();
                // a repeated header shows as its values joined by newlines, so a duplicate cannot
                // hide
                req.headers()
                    .forEach(
                        h ->
                            lastHeaders.merge(
                                h.getKey().toLowerCase(), h.getValue(), (a, b) -> a + "\n" + b));
                switch (mode) {
                  case FAIL_500 -> {
                    req.response()
                        .setStatusCode(500)
                        .end(new JsonObject().put("error", "boom from " + name).encode());
                    return;
                  }
                  case FAIL_501 -> {
                    req.response()
                        .setStatusCode(501)
                        .end(new JsonObject().put("error", "not implemented").encode());
                    return;
                  }
                  case FAIL_400 -> {
                    req.response()
                        .setStatusCode(400)
                        .end(new JsonObject().put("error", "bad input").encode());
                    return;
                  }
                  case FAIL_404 -> {
                    req.response()
                        .setStatusCode(404)
                        .end(new JsonObject().put("error", "unknown model").encode());
                    return;
                  }
                  case HANG -> {
                    return;
                  }
                  case RESET -> {
                    req.connection().close();
                    return;
                  }
                  case SLOW -> {
                    vertx.setTimer(SLOW_MILLIS, id -> answer(req, path, body, true));
                    return;
                  }
                  case HOLD -> {
                    held.add(() -> answer(req, path, body, true));
                    return;
                  }
                  default -> {}
                }
              }
              answer(req, path, body, inference);
            });
  }

  private void answer(HttpServerRequest req, String path, Buffer body, boolean inference) {
    CRC32 crc = new CRC32();
    crc.update(body.getBytes());
    JsonObject answer =
        new JsonObject()
            .put("model_name", modelOf(path))
            .put("model_version", versionOf(path))
            .put("served_by", name)
            .put("body_bytes", body.length())
            .put("body_crc32", crc.getValue());
    if (inference) {
      answer.put(
          "outputs",
          new JsonArray()
              .add(
                  new JsonObject()
                      .put("name", "label")
                      .put("shape", new JsonArray().add(1))
                      .put("datatype", "INT64")
                      .put("data", new JsonArray().add(0))));
    } else {
      answer.put("inputs", new JsonArray().add(new JsonObject().put("name", "input")));
    }
    req.response().putHeader("content-type", "application/json");
    String accept = req.getHeader("accept-encoding");
    if (accept != null && accept.contains("gzip")) {
      // as a model server answers a client that accepts gzip: the body compressed, the coding named
      req.response()
          .putHeader("content-encoding", "gzip")
          .putHeader("vary", "Accept-Encoding")
          .end(
              Buffer.buffer(
                  gzip(answer.encode().getBytes(java.nio.charset.StandardCharsets.UTF_8))));
      return;
    }
    req.response().end(answer.encode());
  }

  private static byte[] gzip(byte[] data) {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream out = new java.util.zip.GZIPOutputStream(bytes)) {
      out.write(data);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static String modelOf(String path) {
    String rest = path.substring(path.indexOf("/models/") + 8);
    int end = 0;
    while (end < rest.length() && rest.charAt(end) != '/' && rest.charAt(end) != ':') {
      end++;
    }
    return rest.substring(0, end);
  }

  private static String versionOf(String path) {
    int i = path.indexOf("/versions/");
    if (i < 0) {
      return "unpinned";
    }
    String rest = path.substring(i + 10);
    int end = 0;
    while (end < rest.length() && rest.charAt(end) != '/' && rest.charAt(end) != ':') {
      end++;
    }
    return rest.substring(0, end);
  }

  @Override
  public void close() throws Exception {
    server.close().await(10, TimeUnit.SECONDS);
  }
}
