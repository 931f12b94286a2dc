package dev.infergate.router.proxy;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

/**
 * Streams an upstream response body to the client as it arrives, buffers passed along without
 * copying, with back-pressure. When the upstream declared a Content-Length, the last chunk is
 * written together with the end of the response (and with the head, for a body in one chunk), so a
 * small JSON answer leaves in one write.
 */
final class ResponseRelay {
  private final UpstreamExchange in;
  private final HttpServerResponse out;
  private final Handler<String> onDone;
  private long remaining;
  private boolean ended;

  /** @param expected the declared body length, or -1 */
  ResponseRelay(UpstreamExchange in, HttpServerResponse out, long expected, Handler<String> onDone) {
    this.in = in;
    this.out = out;
    this.remaining = expected;
    this.onDone = onDone;
  }

  void start() {
    if (remaining == 0) {
      ended = true;
      out.end();
    }
    in.handler(this::chunk);
    in.endHandler(v -> {
      if (!ended) {
        ended = true;
        out.end();
      }
      onDone.handle(null);
    });
    in.exceptionHandler(t -> {
      if (!ended) {
        ended = true;
        out.reset();
      }
      onDone.handle("upstream response failed: " + t.getMessage());
    });
  }

  private void chunk(Buffer b) {
    if (ended) {
      return;
    }
    if (remaining > 0) {
      remaining -= b.length();
      if (remaining <= 0) {
        ended = true;
        out.end(b);
        return;
      }
    }
    out.write(b);
    if (out.writeQueueFull()) {
      in.pause();
      out.drainHandler(v -> in.resume());
    }
  }
}
