package dev.infergate.modelserver.http;

import dev.infergate.modelserver.repository.ModelRepository;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /v2}, {@code /v2/health/live} and {@code /v2/health/ready}. 200 means true; not ready
 * (draining after SIGTERM, or no model loaded) is a 503, which every load balancer and probe reads
 * as "send elsewhere".
 */
final class HealthHandler {
  static final String SERVER_NAME = "infergate-model-server";
  static final String SERVER_VERSION = "0.1.0";

  private final ModelRepository repository;
  private final Lifecycle lifecycle;

  HealthHandler(ModelRepository repository, Lifecycle lifecycle) {
    this.repository = repository;
    this.lifecycle = lifecycle;
  }

  void serverMetadata(RoutingContext ctx) {
    Responses.json(
        ctx,
        200,
        new JsonObject()
            .put("name", SERVER_NAME)
            .put("version", SERVER_VERSION)
            .put(
                "extensions",
                new JsonArray()
                    .add("model_repository")
                    .add("model_configuration")
                    .add("statistics")
                    .add("binary_tensor_data")));
  }

  void live(RoutingContext ctx) {
    Responses.json(ctx, 200, new JsonObject().put("live", true));
  }

  void ready(RoutingContext ctx) {
    boolean ready = !lifecycle.draining() && !repository.loadedModels().isEmpty();
    Responses.json(ctx, ready ? 200 : 503, new JsonObject().put("ready", ready));
  }
}
