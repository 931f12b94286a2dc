package dev.infergate.router.proxy;

import dev.infergate.router.upstream.http.UpstreamExchange;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

/**
 * Streams an upstream response body to the client as it arrives, buffers passed along without
 * copying, with back-pressure. When the upstream declared a Content-Length, the last chunk is
 * written together with the end of the response (and with the head, for a body in one chunk), so a
 * small JSON answer leaves in one write.
 */
final class ResponseRelay implements Downstream.Relay {
  private final UpstreamExchange in;
  private final HttpServerResponse out;
  private final Handler<String> onDone;
  private final int capture;
  private Buffer captured;
  private long remaining;
  private boolean ended;

  /**
   * @param expected the declared body length, or -1
   * @param capture keep the body's first this many bytes ({@link #captured()}); 0 for none
   */
  ResponseRelay(
      UpstreamExchange in,
      HttpServerResponse out,
      long expected,
      int capture,
      Handler<String> onDone) {
    this.in = in;
    this.out = out;
    this.remaining = expected;
    this.capture = capture;
    this.onDone = onDone;
  }

  @Override
  public Buffer captured() {
    return captured;
  }

  void start() {
    if (remaining == 0) {
      ended = true;
      out.end();
    }
    in.handler(this::chunk);
    in.endHandler(
        v -> {
          if (!ended) {
            ended = true;
            out.end();
          }
          onDone.handle(null);
        });
    in.exceptionHandler(
        t -> {
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
    if (capture > 0) {
      keep(b);
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

  private void keep(Buffer b) {
    if (captured == null) {
      captured = Buffer.buffer(Math.min(capture, Math.max(b.length(), 64)));
    }
    int room = capture - captured.length();
    if (room > 0) {
      captured.appendBuffer(b, 0, Math.min(room, b.length()));
    }
  }
}
