package dev.infergate.modelserver.http;

import dev.infergate.http.KServePath;
import dev.infergate.modelserver.protocol.EncodedResponse;
import dev.infergate.modelserver.protocol.V1Codec;
import dev.infergate.modelserver.protocol.V2Codec;
import dev.infergate.modelserver.repository.ModelRepository;
import dev.infergate.modelserver.repository.ModelVersion;
import dev.infergate.modelserver.runtime.InferenceRequest;
import dev.infergate.modelserver.runtime.Tensor;
import dev.infergate.telemetry.Tracing;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import java.util.List;

/**
 * Every route of the model server's public (inference) listener, in one place; the admin routes are
 * in {@link AdminServer}.
 */
public final class HttpApi {

  private HttpApi() {}

  /**
   * The request handler: inference (V2 infer, V1 predict), nearly all traffic, is matched by hand
   * with the KServe grammar the router uses too ({@link KServePath}) and served without Vert.x Web:
   * that saves ~14 % of the server's CPU per request at c=64 (bench/RESULTS.md) and gives both
   * protocols one body reader. Every other route goes through the router below.
   */
  public static Handler<HttpServerRequest> create(
      Vertx vertx, ModelRepository repository, Lifecycle lifecycle, long maxBodyBytes) {
    return create(vertx, repository, lifecycle, maxBodyBytes, Tracing.OFF);
  }

  /**
   * @param tracing a server span per inference request, with queue and compute children; {@link
   *     Tracing#OFF} for none
   */
  public static Handler<HttpServerRequest> create(
      Vertx vertx,
      ModelRepository repository,
      Lifecycle lifecycle,
      long maxBodyBytes,
      Tracing tracing) {
    ModelLookup lookup = new ModelLookup(repository);
    V2Codec v2 = new V2Codec();
    V1Codec v1 = new V1Codec();
    InferenceHandler.Codec v2Infer =
        new InferenceHandler.Codec() {
          @Override
          public InferenceRequest parse(
              Buffer body, String binaryHeaderLength, ModelVersion model) {
            return v2.parseInfer(body, model, binaryHeaderLength);
          }

          @Override
          public EncodedResponse encode(
              ModelVersion model, InferenceRequest request, List<Tensor> outputs) {
            return v2.encodeInferResponse(model, request, outputs);
          }
        };
    InferenceHandler.Codec v1Predict =
        new InferenceHandler.Codec() {
          @Override
          public InferenceRequest parse(
              Buffer body, String binaryHeaderLength, ModelVersion model) {
            return v1.parsePredict(body, model);
          }

          @Override
          public EncodedResponse encode(
              ModelVersion model, InferenceRequest request, List<Tensor> outputs) {
            return EncodedResponse.json(v1.encodePredictions(model, outputs));
          }
        };
    HealthHandler health = new HealthHandler(repository, lifecycle);
    ModelHandler models = new ModelHandler(repository, lookup, v2);
    InferenceHandler inference = new InferenceHandler(vertx, lookup, tracing);

    Router router = Router.router(vertx);
    router.get("/v2").handler(health::serverMetadata);
    router.get("/v2/health/live").handler(health::live);
    router.get("/v2/health/ready").handler(health::ready);
    // Before /v2/models/:model: as in Triton, /v2/models/stats is the statistics of every model.
    router.get("/v2/models/stats").handler(models::stats);
    router.get("/v2/models/:model").handler(models::metadata);
    router.get("/v2/models/:model/ready").handler(models::ready);
    router.get("/v2/models/:model/config").handler(models::config);
    router.get("/v2/models/:model/stats").handler(models::stats);
    router.get("/v2/models/:model/versions/:version").handler(models::metadata);
    router.get("/v2/models/:model/versions/:version/ready").handler(models::ready);
    router.get("/v2/models/:model/versions/:version/config").handler(models::config);
    router.get("/v2/models/:model/versions/:version/stats").handler(models::stats);
    router.get("/v1/models").handler(models::v1List);
    router.get("/v1/models/:model").handler(models::v1Status);
    router.get("/v1/models/:model/versions/:version").handler(models::v1VersionStatus);
    // The repository API and /metrics are on the admin listener (AdminServer): here they are
    // unknown routes.
    Errors.install(router);

    Handler<HttpServerRequest> api =
        Errors.guarded(
            request -> {
              KServePath infer = KServePath.parse(request.path());
              if (infer == null
                  || !infer.operation().inference()
                  || (infer.protocol() == KServePath.Protocol.V1
                      && request.method() != HttpMethod.POST)) {
                router.handle(request);
              } else if (request.method() != HttpMethod.POST) {
                request.response().putHeader("allow", "POST");
                Responses.error(
                    request.response(),
                    405,
                    request.method() + " is not allowed on " + request.path());
              } else {
                inference.serve(
                    request,
                    infer.model(),
                    infer.version(),
                    infer.protocol() == KServePath.Protocol.V1 ? v1Predict : v2Infer,
                    maxBodyBytes);
              }
            });
    return request -> {
      lifecycle.track(request.response());
      api.handle(request);
    };
  }
}
