package dev.infergate.modelserver.http;

import dev.infergate.modelserver.protocol.V2Codec;
import dev.infergate.modelserver.repository.ModelRepository;
import dev.infergate.modelserver.repository.ModelVersion;
import dev.infergate.modelserver.repository.ServedModel;
import dev.infergate.modelserver.repository.VersionStatus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Comparator;
import java.util.List;

/**
 * Model metadata and readiness, V2 ({@code GET /v2/models/{m}[/versions/{v}][/ready]}) and V1
 * ({@code GET /v1/models[/{m}[/versions/{v}]]}), and Triton's configuration and statistics
 * extensions ({@code GET /v2/models/{m}[/versions/{v}]/config}, {@code GET
 * /v2/models[/{m}[/versions/{v}]]/stats}).
 */
final class ModelHandler {
  private final ModelRepository repository;
  private final ModelLookup lookup;
  private final V2Codec v2;

  ModelHandler(ModelRepository repository, ModelLookup lookup, V2Codec v2) {
    this.repository = repository;
    this.lookup = lookup;
    this.v2 = v2;
  }

  void metadata(RoutingContext ctx) {
    ServedModel model = lookup.model(ctx.pathParam("model"));
    ModelVersion version = lookup.version(model.name(), ctx.pathParam("version"));
    Responses.json(
        ctx,
        200,
        v2.encodeMetadata(version, model.versions().stream().map(ModelVersion::version).toList()));
  }

  /**
   * A version is only served once warmed up, so being found means being ready. One the repository
   * knows but does not serve (loading, or UNAVAILABLE after a failed load) is a 503 with its state
   * and reason, as server readiness: probes and the router's health checks read it as "send
   * elsewhere".
   */
  void ready(RoutingContext ctx) {
    String name = ctx.pathParam("model");
    String versionName = ctx.pathParam("version");
    var notServing = lookup.notServing(name, versionName);
    if (notServing.isPresent()) {
      VersionStatus status = notServing.get();
      JsonObject body = new JsonObject().put("name", name);
      String version = versionName != null ? versionName : status.version();
      if (version != null) {
        body.put("version", version);
      }
      body.put("ready", false).put("state", status.state().name());
      if (!status.reason().isEmpty()) {
        body.put("reason", Errors.forClient(status.reason()));
      }
      Responses.json(ctx, 503, body);
      return;
    }
    ModelVersion version = lookup.version(name, versionName);
    Responses.json(
        ctx,
        200,
        new JsonObject()
            .put("name", version.name())
            .put("version", version.version())
            .put("ready", true));
  }

  /** KServe V1 {@code GET /v1/models/{m}}. */
  void v1Status(RoutingContext ctx) {
    ServedModel model = lookup.model(ctx.pathParam("model"));
    Responses.json(
        ctx,
        200,
        new JsonObject()
            .put("name", model.name())
            .put("ready", true)
            .put("version", model.defaultVersion().version()));
  }

  /**
   * KServe V1 {@code GET /v1/models/{m}/versions/{v}}: the named version's readiness (404 when not
   * loaded).
   */
  void v1VersionStatus(RoutingContext ctx) {
    ModelVersion version = lookup.version(ctx.pathParam("model"), ctx.pathParam("version"));
    Responses.json(
        ctx,
        200,
        new JsonObject()
            .put("name", version.name())
            .put("ready", true)
            .put("version", version.version()));
  }

  /** KServe V1 {@code GET /v1/models}: the names of the loaded models, sorted. */
  void v1List(RoutingContext ctx) {
    JsonArray names = new JsonArray();
    models().forEach(model -> names.add(model.name()));
    Responses.json(ctx, 200, new JsonObject().put("models", names));
  }

  /**
   * Triton's model configuration extension; without a version, the default (highest) one, as
   * Triton.
   */
  void config(RoutingContext ctx) {
    ModelVersion version = lookup.version(ctx.pathParam("model"), ctx.pathParam("version"));
    Responses.json(ctx, 200, TritonJson.config(version));
  }

  /** Triton's statistics extension: every version of every model, of one model, or one version. */
  void stats(RoutingContext ctx) {
    String modelName = ctx.pathParam("model");
    String versionName = ctx.pathParam("version");
    List<ModelVersion> versions;
    if (modelName == null) {
      versions = models().stream().flatMap(model -> model.versions().stream()).toList();
    } else if (versionName == null) {
      versions = lookup.model(modelName).versions();
    } else {
      versions = List.of(lookup.version(modelName, versionName));
    }
    JsonArray stats = new JsonArray();
    versions.forEach(version -> stats.add(TritonJson.stats(version)));
    Responses.json(ctx, 200, new JsonObject().put("model_stats", stats));
  }

  private List<ServedModel> models() {
    return repository.loadedModels().stream()
        .sorted(Comparator.comparing(ServedModel::name))
        .toList();
  }
}
