package dev.infergate.modelserver.testsupport;

import dev.infergate.modelserver.ModelServer;
import dev.infergate.modelserver.config.AdminListener;
import dev.infergate.modelserver.config.CommandLine;
import dev.infergate.modelserver.config.LimitsConfig;
import dev.infergate.modelserver.config.ModelServerConfig;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real model server on 127.0.0.1 and random ports (inference and admin listeners), with a plain
 * JDK HTTP client pointed at it.
 */
public final class RunningServer implements AutoCloseable {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  private final ModelServer server;
  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build();

  private RunningServer(ModelServer server) {
    this.server = server;
  }

  public static RunningServer start(Path models) {
    return start(models, 64 * 1024);
  }

  public static RunningServer start(Path models, int maxBodyBytes) {
    return start(models, maxBodyBytes, 0, LimitsConfig.DEFAULT);
  }

  /**
   * With other read deadlines, idle timeout or connection cap (short ones keep slow-client tests
   * fast).
   */
  public static RunningServer start(Path models, int maxBodyBytes, LimitsConfig limits) {
    return start(models, maxBodyBytes, 0, limits);
  }

  /**
   * With a SIGTERM pre-stop delay ({@code preStopDelayMillis}; 0 elsewhere, so tests close at
   * once).
   */
  public static RunningServer start(Path models, int maxBodyBytes, long preStopDelayMillis) {
    return start(models, maxBodyBytes, preStopDelayMillis, LimitsConfig.DEFAULT);
  }

  private static RunningServer start(
      Path models, int maxBodyBytes, long preStopDelayMillis, LimitsConfig limits) {
    try {
      ModelServerConfig defaults =
          ModelServerConfig.load(
              CommandLine.parse(
                  "--port",
                  "0",
                  "--admin-port",
                  "0",
                  "--models",
                  models.toString(),
                  "--device",
                  "cpu"));
      ModelServerConfig config =
          new ModelServerConfig(
              "127.0.0.1",
              0,
              defaults.modelsDir(),
              defaults.device(),
              maxBodyBytes,
              defaults.modelDefaults(),
              defaults.intraOpThreads(),
              2,
              5_000,
              new AdminListener("127.0.0.1", 0),
              preStopDelayMillis,
              limits,
              ModelServerConfig.DEFAULT_STRICT,
              defaults.logFormat(),
              defaults.tracing());
      return new RunningServer(ModelServer.start(config));
    } catch (Exception e) {
      throw new IllegalStateException("model server did not start: " + e.getMessage(), e);
    }
  }

  public ModelServer server() {
    return server;
  }

  public URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  /** A path on the admin listener (repository API, /metrics). */
  public URI adminUri(String path) {
    return URI.create("http://127.0.0.1:" + server.adminPort() + path);
  }

  public HttpResponse<String> adminGet(String path) {
    return send(HttpRequest.newBuilder(adminUri(path)).timeout(TIMEOUT).GET().build());
  }

  public HttpResponse<String> adminPost(String path) {
    return send(
        HttpRequest.newBuilder(adminUri(path))
            .timeout(TIMEOUT)
            .POST(HttpRequest.BodyPublishers.noBody())
            .build());
  }

  public HttpResponse<String> get(String path) {
    return send(HttpRequest.newBuilder(uri(path)).timeout(TIMEOUT).GET().build());
  }

  public HttpResponse<String> post(String path, String body) {
    return send(
        HttpRequest.newBuilder(uri(path))
            .timeout(TIMEOUT)
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  public HttpResponse<String> send(HttpRequest request) {
    try {
      return client.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public java.util.concurrent.CompletableFuture<HttpResponse<String>> postAsync(
      String path, String body) {
    return client.sendAsync(
        HttpRequest.newBuilder(uri(path))
            .timeout(TIMEOUT)
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  public static JsonObject json(HttpResponse<String> response) {
    return new JsonObject(response.body());
  }

  /** A V2 infer body with one FP32 row per entry of {@code rows}. */
  public static String v2Body(float[]... rows) {
    StringBuilder data = new StringBuilder();
    for (float[] row : rows) {
      for (float value : row) {
        data.append(data.length() == 0 ? "" : ",").append(value);
      }
    }
    return "{\"inputs\":[{\"name\":\"input\",\"shape\":["
        + rows.length
        + ",4],\"datatype\":\"FP32\",\"data\":["
        + data
        + "]}]}";
  }

  @Override
  public void close() {
    server.close();
  }
}
