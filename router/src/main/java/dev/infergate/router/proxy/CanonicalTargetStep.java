package dev.infergate.router.proxy;

import dev.infergate.http.KServePath;
import dev.infergate.router.http.RequestTarget;

/**
 * Refuses, with 400 JSON, a request target that is not canonical ({@link RequestTarget}):
 * dot-segments, encoded dots, slashes or backslashes, double encoding, malformed escapes, empty
 * segments, control and non-ASCII bytes, targets not in origin-form, and any other percent-escape
 * in the path ({@link KServePath#refusal}: the one rule both servers apply). It runs before health,
 * auth and routing, so no later step (and no model server) ever sees a path that could be read two
 * ways, and a probe of the path space costs no token check.
 */
final class CanonicalTargetStep implements RequestStep {
  @Override
  public void handle(ProxyContext ctx) {
    String problem = RequestTarget.problem(ctx.request.uri());
    if (problem == null) {
      // The escapes RequestTarget lets through (%20, %C3%A9): no name has one, and the model
      // servers
      // refuse them too, so no path reaches a router and a model server with two readings.
      problem = KServePath.refusal(ctx.request.path());
    }
    if (problem != null) {
      ctx.fail(400, "request target refused: " + problem);
      return;
    }
    ctx.next();
  }
}
