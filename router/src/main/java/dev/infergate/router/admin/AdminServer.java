package dev.infergate.router.admin;

import dev.infergate.http.ConnectionGuard;
import dev.infergate.http.JsonError;
import dev.infergate.http.LingeringClose;
import dev.infergate.router.auth.Authenticator;
import dev.infergate.router.auth.BearerChallenge;
import dev.infergate.router.auth.Consumer;
import dev.infergate.router.auth.InvalidTokenException;
import dev.infergate.router.config.AuthConfig;
import dev.infergate.router.observability.RouterMetrics;
import dev.infergate.router.routing.RoutingState;
import dev.infergate.router.routing.ServiceRoute;
import dev.infergate.router.shadow.Shadowing;
import dev.infergate.router.upstream.Endpoint;
import dev.infergate.router.upstream.EndpointRegistry;
import dev.infergate.telemetry.LogContext;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The admin listener.
 *
 * <pre>
 * GET  /admin/services                  every service: strategy, weights or active track
 * GET  /admin/services/{name}           one service, every track and endpoint (health, breaker state),
 *                                       its shadow's counts and last disagreements
 * PUT  /admin/services/{name}/weights   {"stable": 80, "canary": 20}
 * POST /admin/services/{name}/promote   blue-green: switch active; canary: the canary takes 100
 * POST /admin/services/{name}/rollback  back to the state before the last change
 * POST /admin/services/{name}/reset     drop the operator's change; the config file's values apply
 * GET  /admin/audit?service=&limit=     the newest operator changes, newest first (shared with cluster)
 * GET  /admin/services/{name}/rollout   the automated rollout: phase, step, weights, reason, analyses
 * POST /admin/services/{name}/rollout   start one (optional JSON body: fields of the rollout block)
 * POST /admin/services/{name}/rollout/pause|resume|abort
 * GET  /admin/services/{name}/analysis  the current window's figures and verdict (Argo Rollouts' web metric);
 *                                       POST answers the same, 412 on a failing verdict (Flagger's webhook)
 * GET  /admin/upstreams                 every endpoint
 * GET  /metrics                         Prometheus text format
 * </pre>
 *
 * With auth, {@code /admin/*} needs a bearer JWT with the admin role (401 without a valid token,
 * 403 without the role). {@code /metrics} stays open for Prometheus scrapers: it holds counts, no
 * secrets, and the admin port is reachable only inside the namespace (NetworkPolicy) or on
 * loopback. Without auth (dev only) config validation keeps the listener on loopback.
 *
 * <p>Changes carry the state's {@code version}: {@code GET /admin/services/{name}} shows it, a
 * change sent with {@code If-Match: <version>} gets 409 when the state moved on, and every change
 * answers 200 with the new state and version. With {@code cluster}, a change while Redis is
 * unreachable gets 503.
 */
public final class AdminServer {
  private static final Logger LOG = Logger.getLogger(AdminServer.class.getName());
  private static final String PROMETHEUS_TYPE = "text/plain; version=0.0.4; charset=utf-8";
  private static final String SERVICES = "/admin/services";
  private static final String REALM = "infergate-admin";
  private static final CharSequence WWW_AUTHENTICATE =
      HttpHeaders.createOptimized("www-authenticate");
  private static final int MAX_CHANGE_BYTES = 64 * 1024;
  private static final String AUDIT = "/admin/audit";
  static final int DEFAULT_AUDIT_LIMIT = 100;
  static final int MAX_AUDIT_LIMIT = 1000;
  private static final java.util.regex.Pattern SERVICE_NAME =
      java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  private final Vertx vertx;
  private final RoutingState state;
  private final EndpointRegistry endpoints;
  private final RouterMetrics metrics;
  private final OperatorChanges control;
  private final Authenticator authenticator;
  private final Shadowing shadowing;
  private RolloutApi rollouts;
  private HttpServer server;

  /**
   * @param authenticator null without auth
   * @param shadowing shadow counts for a service's {@code shadow} object
   */
  public AdminServer(
      Vertx vertx,
      RoutingState state,
      EndpointRegistry endpoints,
      RouterMetrics metrics,
      OperatorChanges control,
      Authenticator authenticator,
      Shadowing shadowing) {
    this.vertx = vertx;
    this.state = state;
    this.endpoints = endpoints;
    this.metrics = metrics;
    this.control = control;
    this.authenticator = authenticator;
    this.shadowing = shadowing;
  }

  /** Serves the rollout resources (without: 404). Call before {@link #listen}. */
  public AdminServer rollouts(RolloutApi api) {
    this.rollouts = api;
    return this;
  }

  /**
   * @param guard the admin listener's idle timeout, read deadlines and connection cap
   */
  public Future<HttpServer> listen(String host, int port, ConnectionGuard guard) {
    // Admin tokens are as large as consumers' (many roles): the same header room as the public
    // listener.
    server =
        vertx
            .createHttpServer(
                guard
                    .options(new HttpServerOptions())
                    .setMaxHeaderSize(
                        AuthConfig.listenerMaxHeaderBytes(
                            authenticator == null ? null : authenticator.config())))
            .connectionHandler(guard::accept)
            .requestHandler(this::handle);
    return server.listen(port, host);
  }

  public int actualPort() {
    return server.actualPort();
  }

  public Future<Void> close() {
    return server == null ? Future.succeededFuture() : server.shutdown(1, TimeUnit.SECONDS);
  }

  private void handle(HttpServerRequest req) {
    LogContext.bind(req.getHeader("x-request-id"), req.getHeader("traceparent"));
    String path = req.path();
    if (path.equals("/metrics")) {
      if (req.method() != HttpMethod.GET) {
        notAllowed(req, "GET");
        return;
      }
      // A scrape walks every meter (per endpoint, per pod): not on an event loop the proxy shares.
      vertx
          .executeBlocking(metrics::scrape, false)
          .onComplete(
              scrape -> {
                if (scrape.succeeded()) {
                  req.response()
                      .putHeader(HttpHeaders.CONTENT_TYPE, PROMETHEUS_TYPE)
                      .end(scrape.result());
                } else {
                  LOG.log(Level.WARNING, "metrics scrape failed", scrape.cause());
                  fail(req, 500, "metrics unavailable; see the router log");
                }
              });
      return;
    }
    if (!path.startsWith("/admin/")) {
      fail(req, 404, "no such admin resource: " + path);
      return;
    }
    // Bodies are small and bounded: read first, so that no step below races the body's arrival.
    readBody(req)
        .onSuccess(
            body -> {
              if (body != null) {
                authenticate(req, path, body);
              }
            });
  }

  private void authenticate(HttpServerRequest req, String path, Buffer body) {
    if (authenticator == null) {
      route(req, path, "anonymous (no auth configured)", body);
      return;
    }
    String authorization = req.getHeader(HttpHeaders.AUTHORIZATION);
    authenticator
        .authenticate(authorization)
        .onComplete(
            ar -> {
              if (ar.failed() && !(ar.cause() instanceof InvalidTokenException)) {
                req.response().putHeader(HttpHeaders.RETRY_AFTER, "1");
                fail(req, 503, "token verification is busy or unavailable; retry shortly");
                return;
              }
              if (ar.failed()) {
                boolean sent = authorization != null && !authorization.isBlank();
                metrics.authFailure("admin", sent ? "invalid" : "missing");
                String description = ar.cause().getMessage();
                req.response()
                    .putHeader(
                        WWW_AUTHENTICATE,
                        sent
                            ? BearerChallenge.invalidToken(REALM, description)
                            : BearerChallenge.missing(REALM));
                fail(
                    req,
                    401,
                    sent ? "invalid token: " + description : "the admin API needs a bearer token");
                return;
              }
              Consumer consumer = ar.result();
              String role = authenticator.config().adminRole();
              if (!consumer.hasRole(role)) {
                metrics.authFailure("admin", "forbidden");
                req.response()
                    .putHeader(WWW_AUTHENTICATE, BearerChallenge.insufficientScope(REALM, role));
                fail(req, 403, "the admin API needs the role '" + role + "'");
                return;
              }
              route(req, path, consumer.subject(), body);
            });
  }

  private void route(HttpServerRequest req, String path, String subject, Buffer body) {
    if (path.equals("/admin/upstreams")) {
      if (req.method() != HttpMethod.GET) {
        notAllowed(req, "GET");
        return;
      }
      JsonArray list = new JsonArray();
      for (Endpoint e : endpoints.all()) {
        list.add(AdminJson.endpoint(e));
      }
      json(req, 200, new JsonObject().put("endpoints", list));
      return;
    }
    if (path.equals(AUDIT)) {
      if (req.method() != HttpMethod.GET) {
        notAllowed(req, "GET");
        return;
      }
      audit(req);
      return;
    }
    if (path.equals(SERVICES) || path.equals(SERVICES + "/")) {
      if (req.method() != HttpMethod.GET) {
        notAllowed(req, "GET");
        return;
      }
      JsonArray list = new JsonArray();
      for (ServiceRoute s : state.current().services()) {
        list.add(AdminJson.summary(s));
      }
      json(req, 200, new JsonObject().put("services", list));
      return;
    }
    if (!path.startsWith(SERVICES + "/")) {
      fail(req, 404, "no such admin resource: " + path);
      return;
    }
    String rest = path.substring(SERVICES.length() + 1);
    int slash = rest.indexOf('/');
    String name = slash < 0 ? rest : rest.substring(0, slash);
    String action = slash < 0 ? "" : rest.substring(slash + 1);
    ServiceRoute service = state.current().service(name);
    if (service == null) {
      fail(req, 404, "unknown service '" + name + "'");
      return;
    }
    switch (action) {
      case "" -> {
        if (req.method() != HttpMethod.GET) {
          notAllowed(req, "GET");
          return;
        }
        ServiceOverride override = control.override(name);
        JsonObject detail = AdminJson.detail(service);
        if (service.config().shadow() != null) {
          detail.put("shadow", AdminJson.shadow(service.config().shadow(), shadowing, name));
        }
        json(
            req,
            200,
            detail
                .put("operatorOverride", override == null ? null : override.toJson())
                .put("version", control.version()));
      }
      case "weights" -> {
        if (req.method() != HttpMethod.PUT) {
          notAllowed(req, "PUT");
          return;
        }
        JsonObject weights = jsonObject(req, body);
        if (weights != null) {
          change(req, "weights", name, weights, subject);
        } else {
          metrics.adminChange("weights", "rejected");
        }
      }
      case "promote", "rollback", "reset" -> {
        if (req.method() != HttpMethod.POST) {
          notAllowed(req, "POST");
          return;
        }
        change(req, action, name, null, subject);
      }
      case "rollout", "rollout/pause", "rollout/resume", "rollout/abort" ->
          rollout(req, name, action, subject, body);
      case "analysis" -> analysis(req, name);
      default -> fail(req, 404, "no such admin resource: " + path);
    }
  }

  /**
   * Commits the change (state file, or the cluster's shared state); answers with the new routing
   * and version.
   */
  private void change(
      HttpServerRequest req, String action, String service, JsonObject body, String subject) {
    String ifMatchHeader = req.getHeader(HttpHeaders.IF_MATCH);
    Long ifMatch = null;
    if (ifMatchHeader != null) {
      ifMatch = parseVersion(ifMatchHeader);
      if (ifMatch == null) {
        metrics.adminChange(action, "rejected");
        fail(
            req,
            400,
            "If-Match must be a version number from GET /admin/services/{name}, e.g. If-Match: 7");
        return;
      }
    }
    control
        .change(action, service, body, subject, ifMatch)
        .onComplete(ar -> answerChange(req, action, ar));
  }

  private void analysis(HttpServerRequest req, String name) {
    if (req.method() != HttpMethod.GET && req.method() != HttpMethod.POST) {
      notAllowed(req, "GET, POST");
      return;
    }
    JsonObject analysis;
    try {
      analysis = rollouts.analysis(name);
    } catch (ChangeConflictException e) {
      fail(req, 409, e.getMessage());
      return;
    }
    // Flagger's webhooks fail the analysis on any non-2xx answer; Argo's web metric reads the JSON.
    boolean failed = "fail".equals(analysis.getString("verdict"));
    json(req, req.method() == HttpMethod.POST && failed ? 412 : 200, analysis);
  }

  private void rollout(
      HttpServerRequest req, String name, String action, String subject, Buffer body) {
    if (action.equals("rollout") && req.method() == HttpMethod.GET) {
      json(req, 200, rollouts.status(name));
      return;
    }
    if (req.method() != HttpMethod.POST) {
      notAllowed(req, action.equals("rollout") ? "GET, POST" : "POST");
      return;
    }
    String metricAction = action.replace('/', '-');
    switch (action) {
      case "rollout" -> {
        JsonObject overrides = body.length() == 0 ? new JsonObject() : jsonObject(req, body);
        if (overrides == null) {
          metrics.adminChange(metricAction, "rejected");
          return;
        }
        rolloutChange(req, metricAction, () -> rollouts.start(name, overrides, subject));
      }
      case "rollout/pause" -> rolloutChange(req, metricAction, () -> rollouts.pause(name, subject));
      case "rollout/resume" ->
          rolloutChange(req, metricAction, () -> rollouts.resume(name, subject));
      default -> rolloutChange(req, metricAction, () -> rollouts.abort(name, subject));
    }
  }

  private interface Change {
    JsonObject run() throws Exception;
  }

  /**
   * Runs a rollout change on a worker (it writes the state file with fsync); answers with the new
   * routing.
   */
  private void rolloutChange(HttpServerRequest req, String action, Change change) {
    vertx.executeBlocking(change::run, false).onComplete(ar -> answerChange(req, action, ar));
  }

  /**
   * Answers an operator or rollout change: 200 with the new state, or the status its failure maps
   * to.
   */
  private void answerChange(
      HttpServerRequest req, String action, io.vertx.core.AsyncResult<JsonObject> ar) {
    {
      metrics.adminChange(
          action,
          ar.succeeded()
              ? "applied"
              : ar.cause() instanceof ChangeRejectedException ? "rejected" : "failed");
      if (ar.succeeded()) {
        json(req, 200, ar.result());
      } else if (ar.cause() instanceof RolloutControl.UnknownServiceException e) {
        fail(req, 404, e.getMessage());
      } else if (ar.cause() instanceof VersionConflictException e) {
        req.response().putHeader(HttpHeaders.ETAG, "\"" + e.currentVersion() + "\"");
        fail(
            req,
            409,
            e.getMessage(),
            new JsonObject().put("version", e.currentVersion()).put("current", e.current()));
      } else if (ar.cause() instanceof RolloutControl.NothingToUndoException
          || ar.cause() instanceof ChangeConflictException) {
        fail(req, 409, ar.cause().getMessage());
      } else if (ar.cause() instanceof ChangeRejectedException e) {
        fail(req, 400, e.getMessage());
      } else if (ar.cause() instanceof StoreUnavailableException e) {
        req.response().putHeader(HttpHeaders.RETRY_AFTER, "1");
        fail(req, 503, e.getMessage());
      } else if (ar.cause() instanceof RolloutControl.ChangeNotRecordedException e) {
        LOG.severe("operator change not recorded, nothing changed: " + e.getMessage());
        fail(req, 500, RolloutControl.ChangeNotRecordedException.CLIENT_MESSAGE);
      } else {
        LOG.log(Level.SEVERE, "operator change failed", ar.cause());
        fail(req, 500, "the change failed on an internal error; see the router log");
      }
    }
  }

  /** {@code 7} or {@code "7"} (an ETag as sent back); null when it is neither. */
  static Long parseVersion(String header) {
    String v = header.trim();
    if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
      v = v.substring(1, v.length() - 1);
    }
    if (!v.matches("\\d{1,18}")) {
      return null;
    }
    return Long.parseLong(v);
  }

  /** {@code GET /admin/audit?service=&limit=}: only those two parameters, each at most once. */
  private void audit(HttpServerRequest req) {
    io.vertx.core.MultiMap params;
    try {
      params = req.params();
    } catch (IllegalArgumentException e) {
      fail(req, 400, "the query string is not valid (bad %-escape)");
      return;
    }
    for (String name : params.names()) {
      if (!name.equals("service") && !name.equals("limit")) {
        fail(req, 400, "unknown parameter '" + name + "'; use service and limit");
        return;
      }
      if (params.getAll(name).size() > 1) {
        fail(req, 400, "parameter '" + name + "' given more than once");
        return;
      }
    }
    String service = params.get("service");
    if (service != null && !SERVICE_NAME.matcher(service).matches()) {
      fail(
          req,
          400,
          "service must be a service name (letters, digits, '.', '_', '-'), was '"
              + (service.length() > 64 ? service.substring(0, 64) + "..." : service)
              + "'");
      return;
    }
    int limit = DEFAULT_AUDIT_LIMIT;
    String limitParam = params.get("limit");
    if (limitParam != null) {
      if (!limitParam.matches("\\d{1,4}")
          || Integer.parseInt(limitParam) < 1
          || Integer.parseInt(limitParam) > MAX_AUDIT_LIMIT) {
        fail(
            req,
            400,
            "limit must be an integer 1.."
                + MAX_AUDIT_LIMIT
                + ", was '"
                + (limitParam.length() > 16 ? limitParam.substring(0, 16) + "..." : limitParam)
                + "'");
        return;
      }
      limit = Integer.parseInt(limitParam);
    }
    int max = limit;
    control
        .audit(service, limit)
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                json(req, 200, new JsonObject().put("records", ar.result()).put("limit", max));
              } else if (ar.cause() instanceof StoreUnavailableException e) {
                req.response().putHeader(HttpHeaders.RETRY_AFTER, "1");
                fail(req, 503, e.getMessage());
              } else {
                LOG.log(Level.WARNING, "audit read failed", ar.cause());
                fail(req, 500, "the audit could not be read; see the router log");
              }
            });
  }

  /**
   * The whole request body, at most {@link #MAX_CHANGE_BYTES}; answers 413 itself and yields null
   * then.
   */
  private static Future<Buffer> readBody(HttpServerRequest req) {
    if (declaredLength(req) > MAX_CHANGE_BYTES) {
      tooLarge(req);
      return Future.succeededFuture(null);
    }
    Buffer body = Buffer.buffer();
    return Future.future(
        promise -> {
          req.handler(
              chunk -> {
                if (req.response().ended()) {
                  return;
                }
                if (body.length() + chunk.length() > MAX_CHANGE_BYTES) {
                  tooLarge(req);
                  promise.tryComplete(null);
                  return;
                }
                body.appendBuffer(chunk);
              });
          req.exceptionHandler(t -> promise.tryComplete(null));
          req.endHandler(v -> promise.tryComplete(req.response().ended() ? null : body));
        });
  }

  private static void tooLarge(HttpServerRequest req) {
    req.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
    fail(req, 413, "an admin request body is at most " + MAX_CHANGE_BYTES + " bytes")
        .onComplete(ar -> LingeringClose.after(req));
  }

  /** The body as a JSON object; answers 400 itself and yields null when it is not one. */
  private static JsonObject jsonObject(HttpServerRequest req, Buffer body) {
    try {
      Object parsed = body.length() == 0 ? null : body.toJsonValue();
      if (parsed instanceof JsonObject o) {
        return o;
      }
      fail(req, 400, "the body must be a JSON object, e.g. {\"stable\": 80, \"canary\": 20}");
    } catch (DecodeException e) {
      fail(req, 400, "the body is not valid JSON: " + e.getMessage());
    }
    return null;
  }

  private static long declaredLength(HttpServerRequest req) {
    try {
      String length = req.getHeader(HttpHeaders.CONTENT_LENGTH);
      return length == null ? -1 : Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      return -1; // the HTTP codec already refuses malformed lengths; the streamed count still
      // applies
    }
  }

  private static void notAllowed(HttpServerRequest req, String allowed) {
    req.response().putHeader(HttpHeaders.ALLOW, allowed);
    fail(req, 405, "method " + req.method() + " not allowed here; use " + allowed);
  }

  /**
   * The router's JSON error, with a request id of its own (admin requests are not traced from a
   * client's).
   */
  private static Future<Void> fail(HttpServerRequest req, int status, String message) {
    return fail(req, status, message, null);
  }

  /**
   * As {@link #fail(HttpServerRequest, int, String)}, with {@code extra}'s fields after those two
   * (a 409's state).
   */
  private static Future<Void> fail(
      HttpServerRequest req, int status, String message, JsonObject extra) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    String requestId = String.format("%016x%016x", random.nextLong(), random.nextLong());
    String body = JsonError.body(message, requestId);
    if (extra != null && !extra.isEmpty()) {
      body = body.substring(0, body.length() - 1) + "," + extra.encode().substring(1);
    }
    return req.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader("x-request-id", requestId)
        .end(body);
  }

  private static Future<Void> json(HttpServerRequest req, int status, JsonObject body) {
    return req.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(body.encode());
  }
}
