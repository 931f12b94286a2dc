package dev.infergate.router.proxy;

import dev.infergate.router.routing.ModelPath;
import dev.infergate.router.routing.ServiceRoute;

/** Matches the path to the service whose {@code model} it names; 404 JSON when there is none. */
final class RouteStep implements RequestStep {
  @Override
  public void handle(ProxyContext ctx) {
    ModelPath path = ModelPath.parse(ctx.request.path());
    if (path == null) {
      ctx.fail(404, "no route: the router serves /v2/models/{model}/... and /v1/models/{model}:predict");
      return;
    }
    ServiceRoute service = ctx.routing.forModel(path.model());
    if (service == null) {
      ctx.fail(404, "unknown model '" + path.model() + "'");
      return;
    }
    ctx.modelPath = path;
    ctx.service = service;
    ctx.next();
  }
}
