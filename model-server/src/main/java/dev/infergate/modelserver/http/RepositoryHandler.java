package dev.infergate.modelserver.http;

import dev.infergate.modelserver.repository.ModelRepository;
import dev.infergate.modelserver.repository.ServedModel;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The model repository extension: {@code POST /v2/repository/index}, {@code .../models/{m}/load}
 * (load or reload from disk; on failure the old versions keep serving; versions whose files are
 * gone are dropped, and the answer lists them as {@code "dropped": [{"version", "reason"}]}) and
 * {@code .../unload}. Loading reads files and warms models up, so it runs on a worker thread.
 */
final class RepositoryHandler {
  private static final Logger LOG = Logger.getLogger(RepositoryHandler.class.getName());
  private final Vertx vertx;
  private final ModelRepository repository;

  RepositoryHandler(Vertx vertx, ModelRepository repository) {
    this.vertx = vertx;
    this.repository = repository;
  }

  void index(RoutingContext ctx) {
    vertx
        .executeBlocking(repository::index, false)
        .onComplete(
            result -> {
              if (result.failed()) {
                ctx.fail(result.cause());
                return;
              }
              JsonArray entries = new JsonArray();
              for (var entry : result.result()) {
                JsonObject json =
                    new JsonObject().put("name", entry.name()).put("state", entry.state().name());
                if (entry.version() != null) {
                  json.put("version", entry.version());
                }
                if (!entry.reason().isEmpty()) {
                  json.put("reason", Errors.forClient(entry.reason()));
                }
                entries.add(json);
              }
              Responses.json(ctx, 200, entries.toBuffer());
            });
  }

  void load(RoutingContext ctx) {
    String name = ctx.pathParam("model");
    if (!ModelRepository.isSafeName(name)) {
      Responses.error(ctx, 400, "invalid model name '" + name + "'");
      return;
    }
    vertx
        .executeBlocking(() -> repository.reload(name), false)
        .onComplete(
            result -> {
              if (result.failed()) {
                // The client gets the reason; file paths and ONNX Runtime's full text stay in the
                // log.
                // The repository has logged the files and causes; its message names the model and
                // the versions.
                LOG.log(
                    Level.FINE,
                    "load of model '" + name + "' through the API failed",
                    result.cause());
                Responses.error(
                    ctx,
                    400,
                    Errors.forClient(result.cause().getMessage())
                        + (repository.model(name).isPresent()
                            ? " (the previous versions keep serving)"
                            : ""));
                return;
              }
              ServedModel model = result.result().model();
              JsonObject answer =
                  new JsonObject()
                      .put("name", name)
                      .put(
                          "versions",
                          new JsonArray(model.versions().stream().map(v -> v.version()).toList()));
              Map<String, String> dropped = result.result().dropped();
              if (!dropped.isEmpty()) {
                JsonArray droppedJson = new JsonArray();
                dropped.forEach(
                    (version, reason) ->
                        droppedJson.add(
                            new JsonObject().put("version", version).put("reason", reason)));
                answer.put("dropped", droppedJson);
              }
              Responses.json(ctx, 200, answer);
            });
  }

  void unload(RoutingContext ctx) {
    String name = ctx.pathParam("model");
    vertx
        .executeBlocking(() -> repository.unload(name), false)
        .onComplete(
            result -> {
              if (result.failed()) {
                ctx.fail(result.cause());
              } else if (!result.result()) {
                Responses.error(ctx, 404, "model '" + name + "' is not loaded");
              } else {
                Responses.json(ctx, 200, new JsonObject().put("name", name).put("unloaded", true));
              }
            });
  }
}
