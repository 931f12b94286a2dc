package dev.infergate.router.proxy;

import dev.infergate.http.KServePath;
import dev.infergate.router.routing.ServiceRoute;
import io.vertx.core.http.HttpMethod;

/**
 * Matches the path against the model-server grammar ({@link KServePath}) and the service whose
 * {@code model} it names; 404 JSON for a path outside the grammar or an unknown model, 405 for a
 * method other than GET or HEAD on the read-only operations ({@code /config}, {@code /stats}, V1's
 * {@code GET /v1/models/{m}}).
 */
final class RouteStep implements RequestStep {
  static final String NO_ROUTE =
      "no route: the router serves /v2/models/{model}[/versions/{version}]"
          + "[/ready|/infer|/config|/stats] and /v1/models/{model}[/versions/{version}][:predict]";

  @Override
  public void handle(ProxyContext ctx) {
    KServePath path = KServePath.parse(ctx.request.path());
    if (path == null) {
      ctx.fail(404, NO_ROUTE);
      return;
    }
    ServiceRoute service = ctx.routing.forModel(path.model());
    if (service == null) {
      ctx.fail(404, "unknown model '" + path.model() + "'");
      return;
    }
    HttpMethod method = ctx.request.method();
    if (path.operation().readOnly() && method != HttpMethod.GET && method != HttpMethod.HEAD) {
      ctx.response.putHeader("allow", "GET, HEAD");
      ctx.fail(405, method.name() + " is not allowed on " + ctx.request.path() + "; use GET");
      return;
    }
    ctx.modelPath = path;
    ctx.service = service;
    ctx.next();
  }
}
