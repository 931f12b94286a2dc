package dev.infergate.router.proxy;

/**
 * One step of the {@link RequestPipeline}. A step either calls {@link ProxyContext#next()} to pass
 * the request on, or answers it (with {@link ProxyContext#fail}); it never throws for control
 * flow. Steps are stateless and shared by every request; they run on the request's event loop and
 * must not block.
 *
 * <p>The body contract: {@link RequestPipeline#handle} pauses the request before the first step, and
 * {@link BodyReadStep} is the one step that reads the body (it resumes the request). So a step before
 * it may finish later (a token verified on a worker) without losing body bytes and without pausing or
 * resuming anything itself; a step that answers early leaves the paused body to
 * {@link ProxyContext#fail}, which closes the connection after the answer
 * ({@link dev.infergate.http.LingeringClose} resumes and drops it). No step touches the body's handlers
 * or its pause state except {@link BodyReadStep}.
 */
public interface RequestStep {
  void handle(ProxyContext ctx);
}
