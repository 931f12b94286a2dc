package dev.infergate.router.admin;

import dev.infergate.router.observability.RouterMetrics;
import dev.infergate.router.routing.RoutingState;
import dev.infergate.router.routing.ServiceRoute;
import dev.infergate.router.upstream.EndpointRegistry;
import dev.infergate.router.upstream.Endpoint;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;

/**
 * The admin listener: read-only views of the routing state and Prometheus metrics.
 *
 * <pre>
 * GET /admin/services         every service: strategy, weights or active track
 * GET /admin/services/{name}  one service with every track and endpoint (health, breaker state)
 * GET /admin/upstreams        every endpoint
 * GET /metrics                Prometheus text format
 * </pre>
 *
 * Without auth it must bind to loopback (enforced by config validation). The write endpoints
 * (weights, promote, rollback) arrive with auth and go through {@link RoutingState#apply}.
 */
public final class AdminServer {
  private static final String PROMETHEUS_TYPE = "text/plain; version=0.0.4; charset=utf-8";
  private static final String SERVICES = "/admin/services";

  private final Vertx vertx;
  private final RoutingState state;
  private final EndpointRegistry endpoints;
  private final RouterMetrics metrics;
  private HttpServer server;

  public AdminServer(Vertx vertx, RoutingState state, EndpointRegistry endpoints, RouterMetrics metrics) {
    this.vertx = vertx;
    this.state = state;
    this.endpoints = endpoints;
    this.metrics = metrics;
  }

  public Future<HttpServer> listen(String host, int port) {
    server = vertx.createHttpServer().requestHandler(this::handle);
    return server.listen(port, host);
  }

  public int actualPort() {
    return server.actualPort();
  }

  public Future<Void> close() {
    return server == null ? Future.succeededFuture() : server.shutdown(1, TimeUnit.SECONDS);
  }

  private void handle(HttpServerRequest req) {
    String path = req.path();
    if (req.method() != HttpMethod.GET) {
      json(req, 405, error("method not allowed: the admin API of this build is read-only"));
      return;
    }
    if (path.equals("/metrics")) {
      req.response().putHeader("content-type", PROMETHEUS_TYPE).end(metrics.scrape());
    } else if (path.equals(SERVICES) || path.equals(SERVICES + "/")) {
      JsonArray list = new JsonArray();
      for (ServiceRoute s : state.current().services()) {
        list.add(AdminJson.summary(s));
      }
      json(req, 200, new JsonObject().put("services", list));
    } else if (path.startsWith(SERVICES + "/")) {
      String name = path.substring(SERVICES.length() + 1);
      ServiceRoute s = state.current().service(name);
      if (s == null) {
        json(req, 404, error("unknown service '" + name + "'"));
      } else {
        json(req, 200, AdminJson.detail(s));
      }
    } else if (path.equals("/admin/upstreams")) {
      JsonArray list = new JsonArray();
      for (Endpoint e : endpoints.all()) {
        list.add(AdminJson.endpoint(e));
      }
      json(req, 200, new JsonObject().put("endpoints", list));
    } else {
      json(req, 404, error("no such admin resource: " + path));
    }
  }

  private static JsonObject error(String message) {
    return new JsonObject().put("error", message);
  }

  private static void json(HttpServerRequest req, int status, JsonObject body) {
    req.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
  }
}
