package dev.infergate.router.proxy;

import dev.infergate.router.http.RequestTarget;

/**
 * Refuses, with 400 JSON, a request target that is not canonical ({@link RequestTarget}): dot-segments,
 * encoded dots, slashes or backslashes, double encoding, malformed escapes, empty segments, control
 * and non-ASCII bytes, and targets not in origin-form. It runs before health, auth and routing, so no
 * later step (and no model server) ever sees a path that could be read two ways, and a probe of the
 * path space costs no token check.
 */
final class CanonicalTargetStep implements RequestStep {
  @Override
  public void handle(ProxyContext ctx) {
    String problem = RequestTarget.problem(ctx.request.uri());
    if (problem != null) {
      ctx.fail(400, "request target refused: " + problem);
      return;
    }
    ctx.next();
  }
}
