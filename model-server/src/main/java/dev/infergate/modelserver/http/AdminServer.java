package dev.infergate.modelserver.http;

import dev.infergate.http.ConnectionGuard;
import dev.infergate.modelserver.config.AdminListener;
import dev.infergate.modelserver.repository.ModelRepository;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;

/**
 * The admin listener: the model repository API ({@code POST /v2/repository/index}, {@code
 * .../models/{m}/load|unload}) and {@code /metrics}, apart from the inference port so that a client
 * who can send inference requests (directly, or through a router's path tricks) cannot unload a
 * model. One server on one event loop: this is operator and scraper traffic. It has the same read
 * deadlines and idle timeout as the inference port, and its own connection count.
 */
public final class AdminServer {
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private AdminServer() {}

  /**
   * Binds {@code listener}; the future's server says the bound port ({@link
   * HttpServer#actualPort()}).
   */
  public static Future<HttpServer> listen(
      Vertx vertx,
      AdminListener listener,
      ModelRepository repository,
      PrometheusMeterRegistry registry,
      ConnectionGuard guard) {
    HttpServerOptions options =
        guard
            .options(new HttpServerOptions())
            .setHost(listener.host())
            .setPort(listener.port())
            .setCompressionSupported(false);
    return vertx
        .createHttpServer(options)
        .connectionHandler(guard::accept)
        .invalidRequestHandler(Errors::invalidRequest)
        .requestHandler(Errors.guarded(router(vertx, repository, registry)))
        .listen();
  }

  static Router router(Vertx vertx, ModelRepository repository, PrometheusMeterRegistry registry) {
    RepositoryHandler repositoryApi = new RepositoryHandler(vertx, repository);
    Router router = Router.router(vertx);
    router.post("/v2/repository/index").handler(repositoryApi::index);
    router.post("/v2/repository/models/:model/load").handler(repositoryApi::load);
    router.post("/v2/repository/models/:model/unload").handler(repositoryApi::unload);
    router
        .get("/metrics")
        .handler(
            ctx ->
                vertx
                    .executeBlocking(registry::scrape, false)
                    .onComplete(
                        scrape -> {
                          if (scrape.succeeded()) {
                            ctx.response()
                                .putHeader("content-type", PROMETHEUS_TEXT)
                                .end(scrape.result());
                          } else {
                            ctx.fail(scrape.cause());
                          }
                        }));
    Errors.install(router);
    return router;
  }
}
