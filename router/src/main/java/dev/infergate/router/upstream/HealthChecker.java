package dev.infergate.router.upstream;

import dev.infergate.router.config.HealthCheckConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.concurrent.TimeUnit;

/**
 * Active health checks, every interval from a Vert.x timer, two GETs per endpoint: the server's
 * readiness ({@code healthCheck.path}, {@code /v2/health/ready} by default), then, when that
 * passed, the readiness of the model version its track serves ({@code
 * /v2/models/{m}/versions/{v}/ready}, or {@code /v2/models/{m}/ready} for an unpinned track). Both
 * 200: a passed check; anything else (a draining server, the track's version unloaded, no answer in
 * {@code timeoutMillis}) a failed one; {@value Endpoint#FAILED_CHECKS_TO_UNHEALTHY} failures in a
 * row mark the endpoint unhealthy, one pass healthy again. A server that is up but lacks the
 * track's model is as useless to that track's consumers as a dead one; only then can forwarding
 * send them to the fallback track.
 *
 * <p>Uses its own client so that checks never queue behind proxied traffic. Non-blocking.
 */
public final class HealthChecker {
  private final Vertx vertx;
  private final HttpClient client;

  public HealthChecker(Vertx vertx, HttpClient client) {
    this.vertx = vertx;
    this.client = client;
  }

  Vertx vertx() {
    return vertx;
  }

  /**
   * Starts (or restarts with new settings) the periodic check of this endpoint; probes at once.
   *
   * @param modelReadyPath the readiness path of the model version the endpoint's track serves
   */
  void start(Endpoint e, HealthCheckConfig config, String modelReadyPath) {
    if (config.equals(e.healthConfig)
        && modelReadyPath.equals(e.modelReadyPath)
        && e.healthTimer >= 0) {
      return;
    }
    stop(e);
    e.healthConfig = config;
    e.modelReadyPath = modelReadyPath;
    e.healthTimer =
        vertx.setPeriodic(0, config.intervalMillis(), id -> probe(e, config, modelReadyPath));
  }

  /**
   * {@code /v2/models/{model}/versions/{version}/ready}, or {@code /v2/models/{model}/ready} when
   * unpinned.
   */
  static String modelReadyPath(String model, String version) {
    return "/v2/models/" + model + (version == null ? "" : "/versions/" + version) + "/ready";
  }

  void stop(Endpoint e) {
    long id = e.healthTimer;
    if (id >= 0) {
      vertx.cancelTimer(id);
      e.healthTimer = -1;
    }
  }

  private void probe(Endpoint e, HealthCheckConfig config, String modelReadyPath) {
    if (e.probing) {
      return;
    }
    e.probing = true;
    get(e, config, config.path())
        .compose(
            status ->
                status == 200 ? get(e, config, modelReadyPath) : Future.succeededFuture(status))
        .onComplete(
            ar -> {
              e.probing = false;
              if (ar.succeeded() && ar.result() == 200) {
                e.healthCheckPassed();
              } else {
                e.healthCheckFailed();
              }
            });
  }

  /** The status of {@code GET path}, its body read, within the check's timeout. */
  private Future<Integer> get(Endpoint e, HealthCheckConfig config, String path) {
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setHost(e.host())
            .setPort(e.port())
            .setURI(path)
            .setConnectTimeout(config.timeoutMillis());
    return client
        .request(options)
        .compose(req -> req.send())
        .compose(HealthChecker::statusAfterBody)
        .timeout(config.timeoutMillis(), TimeUnit.MILLISECONDS);
  }

  private static Future<Integer> statusAfterBody(HttpClientResponse resp) {
    return resp.body().map(body -> resp.statusCode());
  }
}
