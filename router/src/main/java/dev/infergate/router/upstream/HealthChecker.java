package dev.infergate.router.upstream;

import dev.infergate.router.config.HealthCheckConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.concurrent.TimeUnit;

/**
 * Active health checks: {@code GET path} on each endpoint every interval from a Vert.x timer; a 200
 * marks it healthy, {@value Endpoint#FAILED_CHECKS_TO_UNHEALTHY} failures in a row unhealthy. Uses
 * its own client so that checks never queue behind proxied traffic. Non-blocking.
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

  /** Starts (or restarts with new settings) the periodic check of this endpoint; probes at once. */
  void start(Endpoint e, HealthCheckConfig config) {
    if (config.equals(e.healthConfig) && e.healthTimer >= 0) {
      return;
    }
    stop(e);
    e.healthConfig = config;
    e.healthTimer = vertx.setPeriodic(0, config.intervalMillis(), id -> probe(e, config));
  }

  void stop(Endpoint e) {
    long id = e.healthTimer;
    if (id >= 0) {
      vertx.cancelTimer(id);
      e.healthTimer = -1;
    }
  }

  private void probe(Endpoint e, HealthCheckConfig config) {
    if (e.probing) {
      return;
    }
    e.probing = true;
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.GET)
        .setHost(e.host())
        .setPort(e.port())
        .setURI(config.path())
        .setConnectTimeout(config.timeoutMillis());
    client.request(options)
        .compose(req -> req.send())
        .compose(HealthChecker::statusAfterBody)
        .timeout(config.timeoutMillis(), TimeUnit.MILLISECONDS)
        .onComplete(ar -> {
          e.probing = false;
          if (ar.succeeded() && ar.result() == 200) {
            e.healthCheckPassed();
          } else {
            e.healthCheckFailed();
          }
        });
  }

  private static io.vertx.core.Future<Integer> statusAfterBody(HttpClientResponse resp) {
    return resp.body().map(body -> resp.statusCode());
  }
}
