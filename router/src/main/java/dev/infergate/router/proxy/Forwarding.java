package dev.infergate.router.proxy;

import dev.infergate.router.config.RetryConfig;
import dev.infergate.router.observability.RetryReason;
import dev.infergate.router.routing.ServiceRoute;
import dev.infergate.router.routing.TrackRoute;
import dev.infergate.router.upstream.Endpoint;
import dev.infergate.router.upstream.EndpointGroup;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.vertx.core.VertxException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.net.ConnectException;
import java.util.concurrent.TimeoutException;

/**
 * One request's tries. Picks an endpoint (least outstanding, healthy, breaker not open) of the
 * chosen track; on a connect failure, reset, timeout or 5xx other than 501 tries another endpoint of
 * the same track, bounded by {@code retry.attempts} and the service's retry budget (a try refused at
 * connect never reached a server: it is retried regardless and does not count); when the track has
 * no healthy endpoint left and the fallback track has one, or no usable endpoint at all, it fails
 * over once to the fallback track ({@link #acquire}); then it answers 503 (504 when
 * {@code timeoutMillis} ran out). A 5xx that cannot be retried is passed through as it came.
 *
 * <p>Confined to the request's event loop. Timeouts come from the event loop's {@link Deadlines}
 * sweep. Each try has a sequence number so that callbacks of an abandoned try (timed out, client
 * gone) are recognised and ignored.
 */
final class Forwarding implements Deadlines.Watched {
  private final ForwardStep env;
  private final ProxyContext ctx;
  private final ServiceRoute service;
  private final RetryConfig retry;
  private final long deadline;

  private TrackRoute track;
  private EndpointGroup group;
  private long tried;
  private boolean failedOver;
  private int counted;

  private Endpoint endpoint;
  private long tryStart;
  private boolean tryInFlight;
  private boolean retrySlot;
  private UpstreamExchange upstream;
  private UpstreamExchange relayed;
  private int seq;

  private int deadlineSlot = -1;
  private long tryDeadline;
  private long perTryMillis;
  private boolean relaying;
  private boolean done;
  private UpstreamRequestWriter writer;

  Forwarding(ForwardStep env, ProxyContext ctx) {
    this.env = env;
    this.ctx = ctx;
    this.service = ctx.service;
    this.retry = service.config().retry();
    this.deadline = ctx.startNanos + service.config().timeoutMillis() * 1_000_000L;
    this.tryDeadline = deadline;
  }

  void start() {
    service.budget().requestStarted();
    deadlineSlot = env.deadlines.add(this);
    ctx.response.closeHandler(v -> clientGone());
    track = ctx.track;
    group = track.endpoints();
    int next = acquire();
    if (next < 0) {
      respondError(503, "no endpoint of service '" + service.name() + "' is available");
      return;
    }
    send(next);
  }

  /**
   * The endpoint for the next try: a healthy one of the current track; else a healthy one of the
   * fallback track (switching to it, once); else, in panic, any of the current track whose breaker
   * lets it, then of the fallback; -1 when none is left. So a track with no endpoint ready for its
   * model (an unloaded canary) sends its consumers to the fallback, and health is ignored only when
   * the fallback has no ready endpoint either.
   */
  private int acquire() {
    int i = group.acquireHealthy(tried);
    if (i >= 0) {
      return i;
    }
    TrackRoute fallback = service.fallback();
    boolean canFailOver = fallback != null && !failedOver && fallback != track;
    if (canFailOver) {
      int f = fallback.endpoints().acquireHealthy(0);
      if (f >= 0) {
        failOver(fallback);
        return f;
      }
    }
    i = group.acquire(tried);
    if (i >= 0 || !canFailOver) {
      return i;
    }
    failOver(fallback);
    return group.acquire(0);
  }

  private void failOver(TrackRoute fallback) {
    failedOver = true;
    env.metrics.failover(service.name(), track.name(), fallback.name());
    track = fallback;
    group = fallback.endpoints();
    tried = 0;
  }

  private void send(int index) {
    endpoint = group.get(index);
    tried |= 1L << index;
    counted++;
    ctx.tries++;
    tryInFlight = true;
    tryStart = System.nanoTime();
    int mySeq = ++seq;
    long left = millisLeft();
    long perTry = Math.max(1, Math.min(retry.perTryTimeoutMillis(), left));
    perTryMillis = perTry;
    tryDeadline = perTry < left ? tryStart + perTry * 1_000_000L : deadline;
    if (writer == null) {
      writer = new UpstreamRequestWriter(ctx);
    }
    ByteBuf request = writer.write(ByteBufAllocator.DEFAULT,
        track.upstreamUri(ctx.modelPath, ctx.request.query()), endpoint.authority());
    upstream = env.upstream.send(endpoint.host(), endpoint.port(), endpoint.authority(), request,
        ctx.request.method() == HttpMethod.HEAD, (int) Math.min(Integer.MAX_VALUE, perTry),
        new UpstreamExchange.Listener() {
          @Override
          public void head(UpstreamExchange resp) {
            if (mySeq != seq || done) {
              resp.reset();
              return;
            }
            upstream = null;
            int status = resp.statusCode();
            if (status >= 500 && status != 501) {
              tryFailed(new UpstreamStatusException(status), resp);
            } else {
              trySucceeded(resp);
            }
          }

          @Override
          public void failed(Throwable cause) {
            if (mySeq != seq || done) {
              return;
            }
            upstream = null;
            tryFailed(cause, null);
          }
        });
  }

  private void trySucceeded(UpstreamExchange resp) {
    long nanos = endTry();
    endpoint.succeeded(nanos);
    endpoint.meters().tryCompleted(resp.statusCode(), nanos);
    relay(resp);
  }

  private void tryFailed(Throwable cause, UpstreamExchange resp) {
    long nanos = endTry();
    endpoint.failed(nanos, cause);
    if (resp != null) {
      endpoint.meters().tryCompleted(resp.statusCode(), nanos);
    } else {
      endpoint.meters().tryFailed(nanos);
    }
    boolean refused = cause instanceof ConnectException;
    if (refused) {
      // Passive health: stop picking it until a health check passes again.
      endpoint.markUnreachable();
      counted--;
    }
    Endpoint failed = endpoint;
    int next = -1;
    String notRetried = NO_ENDPOINT_LEFT; // why, for the 503 when no retry is made
    if (millisLeft() <= 0) {
      notRetried = "timeoutMillis reached";
    } else if (refused) {
      next = acquire();
    } else if (counted >= retry.attempts()) {
      notRetried = "retry.attempts=" + retry.attempts() + " used";
    } else if (service.budget().tryStartRetry()) {
      retrySlot = true;
      next = acquire();
      if (next < 0) {
        releaseRetrySlot();
      }
    } else {
      env.metrics.retryBudgetExhausted(service.name());
      notRetried = "retry budget exhausted";
    }
    if (next >= 0) {
      failed.meters().retried(resp != null ? RetryReason.STATUS : RetryReason.ERROR);
      if (resp != null) {
        resp.discard(); // read and drop the (small) error body so the connection goes back to the pool
      }
      send(next);
      return;
    }
    if (resp != null) {
      relay(resp);
    } else if (cause instanceof TimeoutException) {
      respondError(504, "no answer from service '" + service.name() + "' in time: " + reason(cause), describe(cause));
    } else {
      String head = "no endpoint of service '" + service.name() + "' could answer (last error: ";
      String tail = "; not retried: " + notRetried + ")";
      respondError(503, head + reason(cause) + tail, head + describe(cause) + tail);
    }
  }

  @Override
  public long nextDeadline() {
    return tryInFlight ? tryDeadline : deadline;
  }

  @Override
  public void deadlinePassed(long now) {
    if (done) {
      return;
    }
    if (now - deadline >= 0) {
      overallTimeout();
    } else if (tryInFlight && now - tryDeadline >= 0) {
      abandonUpstream();
      tryFailed(new TryTimeoutException("try timed out after " + perTryMillis + " ms"), null);
    }
  }

  private void overallTimeout() {
    if (done) {
      return;
    }
    String reason = "no answer within timeoutMillis=" + service.config().timeoutMillis();
    if (tryInFlight) {
      long nanos = endTry();
      endpoint.failed(nanos, new TryTimeoutException(reason));
      endpoint.meters().tryFailed(nanos);
    }
    abandonUpstream();
    if (relaying) {
      // The response head is out; all that is left is to cut the connection.
      ctx.response.reset();
      finish();
      ctx.complete(504, reason);
    } else {
      respondError(504, reason);
    }
  }

  private void clientGone() {
    if (done) {
      return;
    }
    if (tryInFlight) {
      endTry();
      endpoint.abandoned();
    }
    abandonUpstream();
    finish();
    ctx.complete(499, "client closed the connection");
  }

  private void relay(UpstreamExchange resp) {
    relaying = true;
    relayed = resp;
    ctx.servedTrack = track;
    ctx.servedEndpoint = endpoint.authority();
    HttpServerResponse out = ctx.response;
    int status = resp.statusCode();
    out.setStatusCode(status);
    Headers.copy(resp.headers(), out.headers());
    out.headers().set(Headers.TRACK, track.name()).set(Headers.REQUEST_ID, ctx.requestId);
    String length = resp.headers().get(Headers.CONTENT_LENGTH);
    long expected = -1;
    if (length != null) {
      try {
        expected = Long.parseLong(length.trim());
      } catch (NumberFormatException e) {
        out.headers().remove(Headers.CONTENT_LENGTH);
      }
    }
    boolean bodyless = ctx.request.method() == HttpMethod.HEAD || status == 204 || status == 304;
    if (expected < 0 && !bodyless) {
      out.setChunked(true);
    }
    new ResponseRelay(resp, out, bodyless ? -1 : expected, error -> {
      if (done) {
        return;
      }
      relayed = null;
      finish();
      ctx.complete(status, error);
    }).start();
  }

  private void respondError(int status, String message) {
    respondError(status, message, message);
  }

  /** @param detail for the access log: may name the endpoint's address, which clients are not told */
  private void respondError(int status, String message, String detail) {
    if (done) {
      return;
    }
    ctx.servedTrack = track;
    if (endpoint != null) {
      ctx.servedEndpoint = endpoint.authority();
    }
    finish();
    ctx.fail(status, message, detail);
  }

  private static final String NO_ENDPOINT_LEFT = "no endpoint left to try";

  /** Ends the bookkeeping of the try in flight; returns its duration. */
  private long endTry() {
    tryInFlight = false;
    tryDeadline = deadline;
    releaseRetrySlot();
    return System.nanoTime() - tryStart;
  }

  private void abandonUpstream() {
    seq++;
    UpstreamExchange exchange = upstream != null ? upstream : relayed;
    upstream = null;
    relayed = null;
    if (exchange != null) {
      exchange.reset();
    }
  }

  private void releaseRetrySlot() {
    if (retrySlot) {
      retrySlot = false;
      service.budget().retryEnded();
    }
  }

  private void finish() {
    done = true;
    env.deadlines.remove(deadlineSlot);
    deadlineSlot = -1;
    releaseRetrySlot();
    service.budget().requestEnded();
  }

  private long millisLeft() {
    return (deadline - System.nanoTime()) / 1_000_000L;
  }

  /** What a client is told of an upstream failure: its kind, never an address (Netty's messages name it). */
  private static String reason(Throwable t) {
    if (t instanceof TryTimeoutException || t instanceof UpstreamStatusException) {
      return t.getMessage();
    }
    if (t instanceof TimeoutException) {
      return "timed out";
    }
    if (t instanceof ConnectException) {
      return "connection refused";
    }
    if (t instanceof IOException || t instanceof VertxException) {
      return "connection closed or reset";
    }
    return "upstream error";
  }

  private static String describe(Throwable t) {
    String m = t.getMessage();
    return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }

  /** A 5xx answer, recorded as a breaker failure. No stack trace: it is an outcome, not a bug. */
  static final class UpstreamStatusException extends RuntimeException {
    UpstreamStatusException(int status) {
      super("upstream answered " + status, null, false, false);
    }
  }

  static final class TryTimeoutException extends TimeoutException {
    TryTimeoutException(String message) {
      super(message);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  }
}
