package dev.infergate.router.proxy;

/**
 * Answers 413 at once when the declared {@code Content-Length} is over {@code maxBodyBytes}, before
 * any of the body is read. (A chunked body that grows past the limit is caught by {@link
 * BodyReadStep}.)
 */
final class BodyLimitStep implements RequestStep {
  @Override
  public void handle(ProxyContext ctx) {
    String declared = ctx.request.getHeader(Headers.CONTENT_LENGTH);
    if (declared != null) {
      long max = ctx.routing.config().maxBodyBytes();
      long length;
      try {
        length = Long.parseLong(declared.trim());
      } catch (NumberFormatException e) {
        ctx.fail(400, "invalid Content-Length");
        return;
      }
      if (length > max) {
        ctx.fail(
            413, "request body of " + length + " bytes is over the limit of " + max + " bytes");
        return;
      }
    }
    ctx.next();
  }
}
