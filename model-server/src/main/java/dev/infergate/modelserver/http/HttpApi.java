package dev.infergate.modelserver.http;

import dev.infergate.modelserver.protocol.ProtocolException;
import dev.infergate.modelserver.protocol.V1Codec;
import dev.infergate.modelserver.protocol.V2Codec;
import dev.infergate.modelserver.repository.ModelRepository;
import dev.infergate.modelserver.repository.ModelVersion;
import dev.infergate.modelserver.runtime.InferenceRequest;
import dev.infergate.modelserver.runtime.Tensor;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Every route of the model server, in one place. */
public final class HttpApi {
  private static final Logger LOG = Logger.getLogger(HttpApi.class.getName());
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private HttpApi() {}

  /**
   * The request handler: inference (V2 infer, V1 predict), nearly all traffic, is matched by hand and
   * served without Vert.x Web (see {@link InferencePath}); every other route goes through the router below.
   */
  public static Handler<HttpServerRequest> create(Vertx vertx, ModelRepository repository, Lifecycle lifecycle,
      PrometheusMeterRegistry registry, long maxBodyBytes) {
    ModelLookup lookup = new ModelLookup(repository);
    V2Codec v2 = new V2Codec();
    V1Codec v1 = new V1Codec();
    InferenceHandler.Codec v2Infer = new InferenceHandler.Codec() {
      @Override
      public InferenceRequest parse(Buffer body, ModelVersion model) {
        return v2.parseInfer(body, model);
      }

      @Override
      public Buffer encode(ModelVersion model, InferenceRequest request, List<Tensor> outputs) {
        return v2.encodeInferResponse(model, request, outputs);
      }
    };
    InferenceHandler.Codec v1Predict = new InferenceHandler.Codec() {
      @Override
      public InferenceRequest parse(Buffer body, ModelVersion model) {
        return v1.parsePredict(body, model);
      }

      @Override
      public Buffer encode(ModelVersion model, InferenceRequest request, List<Tensor> outputs) {
        return v1.encodePredictions(model, outputs);
      }
    };
    HealthHandler health = new HealthHandler(repository, lifecycle);
    ModelHandler models = new ModelHandler(lookup, v2);
    InferenceHandler inference = new InferenceHandler(vertx, lookup);
    RepositoryHandler repositoryApi = new RepositoryHandler(vertx, repository);

    Router router = Router.router(vertx);
    router.get("/v2").handler(health::serverMetadata);
    router.get("/v2/health/live").handler(health::live);
    router.get("/v2/health/ready").handler(health::ready);
    router.get("/v2/models/:model").handler(models::metadata);
    router.get("/v2/models/:model/ready").handler(models::ready);
    router.get("/v2/models/:model/versions/:version").handler(models::metadata);
    router.get("/v2/models/:model/versions/:version/ready").handler(models::ready);
    router.post("/v2/repository/index").handler(repositoryApi::index);
    router.post("/v2/repository/models/:model/load").handler(repositoryApi::load);
    router.post("/v2/repository/models/:model/unload").handler(repositoryApi::unload);
    router.get("/v1/models/:model").handler(models::v1Status);
    router.get("/metrics").handler(ctx -> vertx.executeBlocking(registry::scrape, false).onComplete(scrape -> {
      if (scrape.succeeded()) {
        ctx.response().putHeader("content-type", PROMETHEUS_TEXT).end(scrape.result());
      } else {
        Responses.error(ctx, 500, "metrics unavailable: " + scrape.cause().getMessage());
      }
    }));

    router.route().failureHandler(HttpApi::failure);
    router.errorHandler(404, ctx -> Responses.error(ctx, 404, "no route for " + ctx.request().method()
        + " " + ctx.request().path()));
    router.errorHandler(405, ctx -> Responses.error(ctx, 405, ctx.request().method()
        + " is not allowed on " + ctx.request().path()));

    return request -> {
      lifecycle.track(request.response());
      InferencePath infer = InferencePath.parse(request.path());
      if (infer == null || (infer.v1() && request.method() != HttpMethod.POST)) {
        router.handle(request);
      } else if (request.method() != HttpMethod.POST) {
        request.response().putHeader("allow", "POST");
        Responses.error(request.response(), 405, request.method() + " is not allowed on " + request.path());
      } else {
        inference.serve(request, infer.model(), infer.version(), infer.v1() ? v1Predict : v2Infer, maxBodyBytes);
      }
    };
  }

  /** Turns a failed route into a JSON error: the client's fault is a 4xx with a reason, ours a 500. */
  private static void failure(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure instanceof ProtocolException protocol) {
      Responses.error(ctx, protocol.status(), protocol.getMessage());
      return;
    }
    int status = ctx.statusCode();
    if (status >= 400 && status < 500) {
      Responses.error(ctx, status, failure == null ? "bad request" : failure.getMessage());
      return;
    }
    LOG.log(Level.WARNING, "unexpected failure on " + ctx.request().path(), failure);
    Responses.error(ctx, 500, "internal error: " + (failure == null ? "unknown" : failure.getMessage()));
  }
}
