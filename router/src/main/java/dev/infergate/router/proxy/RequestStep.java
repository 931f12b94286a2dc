package dev.infergate.router.proxy;

/**
 * One step of the {@link RequestPipeline}. A step either calls {@link ProxyContext#next()} to pass
 * the request on, or answers it (with {@link ProxyContext#fail}); it never throws for control flow.
 * Steps are stateless and shared by every request; they run on the request's event loop and must
 * not block.
 *
 * <p>The body contract: {@link BodyReadStep} is the one step that reads the request body, and it
 * resumes the request. A step before it that finishes asynchronously (returns without calling
 * {@code next} or answering) must call {@link ProxyContext#pauseBody()} first, so that no body byte
 * is delivered while no one reads; a step that answers early leaves the unread body to {@link
 * ProxyContext#fail}, which closes the connection after the answer ({@link
 * dev.infergate.http.LingeringClose} resumes and drops it). No other step touches the body's
 * handlers or its pause state.
 */
public interface RequestStep {
  void handle(ProxyContext ctx);
}
