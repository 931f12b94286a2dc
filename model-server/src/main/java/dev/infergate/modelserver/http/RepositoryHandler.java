package dev.infergate.modelserver.http;

import dev.infergate.modelserver.repository.ModelRepository;
import dev.infergate.modelserver.repository.ServedModel;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * The model repository extension: {@code POST /v2/repository/index}, {@code .../models/{m}/load}
 * (load or reload from disk; on failure the old versions keep serving) and {@code .../unload}.
 * Loading reads files and warms models up, so it runs on a worker thread.
 */
final class RepositoryHandler {
  private final Vertx vertx;
  private final ModelRepository repository;

  RepositoryHandler(Vertx vertx, ModelRepository repository) {
    this.vertx = vertx;
    this.repository = repository;
  }

  void index(RoutingContext ctx) {
    vertx.executeBlocking(repository::index, false).onComplete(result -> {
      if (result.failed()) {
        Responses.error(ctx, 500, "cannot read the model repository: " + result.cause().getMessage());
        return;
      }
      JsonArray entries = new JsonArray();
      for (var entry : result.result()) {
        JsonObject json = new JsonObject().put("name", entry.name()).put("state", entry.state());
        if (entry.version() != null) {
          json.put("version", entry.version());
        }
        if (!entry.reason().isEmpty()) {
          json.put("reason", entry.reason());
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
    vertx.executeBlocking(() -> repository.load(name), false).onComplete(result -> {
      if (result.failed()) {
        Responses.error(ctx, 400, "failed to load model '" + name + "': " + result.cause().getMessage()
            + (repository.model(name).isPresent() ? " (the previous versions keep serving)" : ""));
        return;
      }
      ServedModel model = result.result();
      Responses.json(ctx, 200, new JsonObject().put("name", name)
          .put("versions", new JsonArray(model.versions().stream().map(v -> v.version()).toList())));
    });
  }

  void unload(RoutingContext ctx) {
    String name = ctx.pathParam("model");
    vertx.executeBlocking(() -> repository.unload(name), false).onComplete(result -> {
      if (result.failed()) {
        Responses.error(ctx, 500, "failed to unload model '" + name + "': " + result.cause().getMessage());
      } else if (!result.result()) {
        Responses.error(ctx, 404, "model '" + name + "' is not loaded");
      } else {
        Responses.json(ctx, 200, new JsonObject().put("name", name).put("unloaded", true));
      }
    });
  }
}
