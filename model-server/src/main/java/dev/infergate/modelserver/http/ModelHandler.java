package dev.infergate.modelserver.http;

import dev.infergate.modelserver.protocol.V2Codec;
import dev.infergate.modelserver.repository.ModelVersion;
import dev.infergate.modelserver.repository.ServedModel;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Model metadata and readiness, V2 ({@code GET /v2/models/{m}[/versions/{v}][/ready]}) and V1. */
final class ModelHandler {
  private final ModelLookup lookup;
  private final V2Codec v2;

  ModelHandler(ModelLookup lookup, V2Codec v2) {
    this.lookup = lookup;
    this.v2 = v2;
  }

  void metadata(RoutingContext ctx) {
    ServedModel model = lookup.model(ctx.pathParam("model"));
    ModelVersion version = lookup.version(model.name(), ctx.pathParam("version"));
    Responses.json(ctx, 200, v2.encodeMetadata(version, model.versions().stream().map(ModelVersion::version).toList()));
  }

  /** A version is only in the repository once warmed up, so being found means being ready. */
  void ready(RoutingContext ctx) {
    ModelVersion version = lookup.version(ctx.pathParam("model"), ctx.pathParam("version"));
    Responses.json(ctx, 200, new JsonObject().put("name", version.name()).put("version", version.version())
        .put("ready", true));
  }

  /** KServe V1 {@code GET /v1/models/{m}}. */
  void v1Status(RoutingContext ctx) {
    ServedModel model = lookup.model(ctx.pathParam("model"));
    Responses.json(ctx, 200, new JsonObject().put("name", model.name()).put("ready", true)
        .put("version", model.defaultVersion().version()));
  }
}
