package dev.infergate.router.proxy;

import dev.infergate.http.ReadDeadlines;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

/**
 * Buffers the request body, up to {@code maxBodyBytes}, so that a retry can send it again. A body
 * that grows past the limit (chunked, no Content-Length) gets 413 as soon as it does. A body that
 * arrives in one chunk is kept as it came, without a copy. Answers {@code Expect: 100-continue}. A
 * body that stalls (408) or cannot be decoded (400) is answered by the connection's {@link
 * ReadDeadlines}, which closes it; the request then fails here and is logged as that answer.
 */
final class BodyReadStep implements RequestStep {
  @Override
  public void handle(ProxyContext ctx) {
    HttpServerRequest request = ctx.request;
    if (request.isEnded()) {
      ctx.next();
      return;
    }
    ReadDeadlines.requestId(request.connection(), ctx.requestId);
    Collector collector = new Collector(ctx, ctx.routing.config().maxBodyBytes());
    request.handler(collector);
    request.endHandler(collector::end);
    request.exceptionHandler(collector::failed);
    request.resume(); // a step before this one may have paused it (ProxyContext#pauseBody,
    // RequestStep's contract)
    if (request.headers().contains(HttpHeaders.EXPECT, HttpHeaders.CONTINUE, true)) {
      ctx.response.writeContinue();
    }
  }

  private static final class Collector implements io.vertx.core.Handler<Buffer> {
    private final ProxyContext ctx;
    private final long max;
    private Buffer body;
    private boolean copied;
    private boolean refused;

    Collector(ProxyContext ctx, long max) {
      this.ctx = ctx;
      this.max = max;
    }

    @Override
    public void handle(Buffer chunk) {
      if (refused) {
        return;
      }
      long size = (body == null ? 0 : body.length()) + (long) chunk.length();
      if (size > max) {
        refused = true;
        ctx.fail(413, "request body is over the limit of " + max + " bytes");
        return;
      }
      if (body == null) {
        body = chunk;
      } else {
        if (!copied) {
          body = Buffer.buffer((int) Math.min(max, body.length() * 2L)).appendBuffer(body);
          copied = true;
        }
        body.appendBuffer(chunk);
      }
    }

    void end(Void ignored) {
      if (refused || ctx.finished()) {
        return;
      }
      ctx.body = body;
      ctx.next();
    }

    void failed(Throwable t) {
      if (!refused && !ctx.finished()) {
        refused = true;
        ReadDeadlines.Refusal refusal = ReadDeadlines.refusal(ctx.request.connection());
        // A 408 (stalled) or 400 (undecodable body) is already written by the connection's handler:
        // log it as what the client got.
        if (refusal != null) {
          ctx.complete(refusal.status(), refusal.reason());
        } else {
          ctx.complete(499, "client request failed: " + t.getMessage());
        }
      }
    }
  }
}
