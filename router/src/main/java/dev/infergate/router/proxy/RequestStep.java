package dev.infergate.router.proxy;

/**
 * One step of the {@link RequestPipeline}. A step either calls {@link ProxyContext#next()} to pass
 * the request on, or answers it (with {@link ProxyContext#fail}); it never throws for control
 * flow. Steps are stateless and shared by every request; they run on the request's event loop and
 * must not block.
 */
public interface RequestStep {
  void handle(ProxyContext ctx);
}
