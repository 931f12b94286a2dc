package dev.infergate.router.proxy;

import dev.infergate.router.config.RetryConfig;
import dev.infergate.router.observability.RetryReason;
import dev.infergate.router.routing.ServiceRoute;
import dev.infergate.router.routing.TrackRoute;
import dev.infergate.router.upstream.Endpoint;
import dev.infergate.router.upstream.EndpointGroup;
import dev.infergate.router.upstream.http.OutboundRequest;
import dev.infergate.router.upstream.http.UpstreamExchange;
import io.vertx.core.VertxException;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.net.ConnectException;
import java.util.concurrent.TimeoutException;

/**
 * One request's tries, orchestrated: picks an endpoint (least outstanding, healthy, breaker not
 * open) of the chosen track, runs an {@link Attempt} on it, and after a failed one asks {@link
 * RetryPolicy} whether to retry on the same track, fail over to the fallback track, pass the answer
 * on, or answer 503/504. The request's own deadline ({@code timeoutMillis}) and each try's are
 * watched by the event loop's {@link Deadlines} sweep; out of time it answers 504 (or cuts a
 * response already under way). The client going away abandons the try in flight.
 *
 * <p>Confined to the request's event loop. Time comes from the injected {@link NanoClock}, the
 * client side through {@link Downstream} and the model servers through the transport, so {@code
 * ForwardingTest} runs the whole matrix without sockets or real time. Callbacks of an attempt that
 * is no longer the current one are ignored.
 */
final class Forwarding implements Deadlines.Watched, Attempt.Owner, RetryPolicy.Options {
  private final ForwardStep env;
  private final Downstream down;
  private final ServiceRoute service;
  private final RetryConfig retry;
  private final OutboundRequest request;
  private final long deadline;

  /** The request's shadow copy when its service has one and it is an inference; else null. */
  private final ShadowTap shadow;

  private TrackRoute track;
  private EndpointGroup group;

  /** Bit i: endpoint i of the current track was tried. */
  private long tried;

  private boolean failedOver;

  /** Tries that count against {@code retry.attempts} (refused ones do not). */
  private int counted;

  private int number;
  private int picked = -1;
  private Attempt current;
  private Downstream.Relay relay;
  private boolean retrySlot;
  private int deadlineSlot = -1;
  private boolean done;

  /**
   * @param startNanos when the request arrived ({@link NanoClock} time): {@code timeoutMillis}
   *     counts from it
   * @param shadow the request's possible shadow copy ({@link ShadowTap#open}), or null
   */
  Forwarding(
      ForwardStep env,
      Downstream down,
      ServiceRoute service,
      TrackRoute track,
      OutboundRequest request,
      long startNanos,
      ShadowTap shadow) {
    this.env = env;
    this.shadow = shadow;
    this.down = down;
    this.service = service;
    this.track = track;
    this.group = track.endpoints();
    this.request = request;
    this.retry = service.config().retry();
    this.deadline = startNanos + service.config().timeoutMillis() * 1_000_000L;
  }

  void start() {
    service.budget().requestStarted();
    deadlineSlot = env.deadlines.add(this);
    down.onClientGone(this::clientGone);
    TrackRoute chosen = track;
    int next = acquire();
    if (next < 0 || failedOver) {
      env.observer.unavailable(chosen);
    }
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
    Endpoint endpoint = group.get(index);
    tried |= 1L << index;
    counted++;
    down.tried();
    long now = env.clock.nanoTime();
    long left = (deadline - now) / 1_000_000L;
    long perTry = Math.max(1, Math.min(retry.perTryTimeoutMillis(), left));
    long tryDeadline = perTry < left ? now + perTry * 1_000_000L : deadline;
    Attempt attempt =
        new Attempt(
            this, env.clock, env.observer, ++number, track, endpoint, request, perTry, tryDeadline);
    current = attempt;
    attempt.start(env.transport, down.upstreamUri(track));
  }

  // RetryPolicy.Options: asked by the policy, in this order, only when it needs the answer.

  @Override
  public boolean takeRetrySlot() {
    retrySlot = service.budget().tryStartRetry();
    return retrySlot;
  }

  @Override
  public RetryPolicy.Next pickNext() {
    boolean before = failedOver;
    picked = acquire();
    if (picked < 0) {
      return RetryPolicy.Next.NONE;
    }
    return failedOver != before ? RetryPolicy.Next.FALLBACK : RetryPolicy.Next.SAME_TRACK;
  }

  // Attempt.Owner

  @Override
  public void answered(Attempt attempt, UpstreamExchange response) {
    if (attempt != current || done) {
      attempt.abandon(TryOutcome.CLIENT_GONE, "superseded");
      return;
    }
    releaseRetrySlot();
    relay(attempt, response);
  }

  @Override
  public void failed(
      Attempt attempt, TryOutcome outcome, Throwable cause, UpstreamExchange response) {
    if (attempt != current || done) {
      if (response != null) {
        response.reset();
      }
      return;
    }
    releaseRetrySlot();
    if (outcome == TryOutcome.REFUSED) {
      counted--;
    }
    RetryPolicy.Verdict verdict =
        RetryPolicy.decide(outcome, counted, retry.attempts(), millisLeft(), this);
    if (verdict.reason() == RetryPolicy.BUDGET_EXHAUSTED) {
      env.metrics.retryBudgetExhausted(service.name());
    }
    if (verdict.retries()) {
      attempt
          .endpoint()
          .meters()
          .retried(response != null ? RetryReason.STATUS : RetryReason.ERROR);
      if (response != null) {
        response
            .discard(); // read and drop the (small) error body so the connection goes back to the
        // pool
      }
      send(picked);
      return;
    }
    releaseRetrySlot(); // taken for a retry that found no endpoint
    Throwable why =
        cause != null ? cause : new Attempt.UpstreamStatusException(response.statusCode());
    switch (verdict.decision()) {
      case RELAY -> relay(attempt, response);
      case ANSWER_504 ->
          respondError(
              504,
              "no answer from service '" + service.name() + "' in time: " + reason(why),
              describe(why));
      default -> {
        String head = "no endpoint of service '" + service.name() + "' could answer (last error: ";
        String tail = "; not retried: " + verdict.reason() + ")";
        respondError(503, head + reason(why) + tail, head + describe(why) + tail);
      }
    }
  }

  // Deadlines.Watched

  @Override
  public long nextDeadline() {
    Attempt a = current;
    return a != null && a.waiting() ? a.deadlineNanos() : deadline;
  }

  @Override
  public void deadlinePassed(long now) {
    if (done) {
      return;
    }
    if (now - deadline >= 0) {
      overallTimeout();
    } else if (current != null && current.waiting() && now - current.deadlineNanos() >= 0) {
      current.timedOut();
    }
  }

  private void overallTimeout() {
    String reason = "no answer within timeoutMillis=" + service.config().timeoutMillis();
    boolean relaying = current != null && current.phase() == Attempt.Phase.RELAYING;
    if (current != null) {
      current.abandon(TryOutcome.OVERALL_TIMEOUT, reason);
    }
    if (relaying) {
      // The response head is out; all that is left is to cut the connection.
      down.reset();
      finish();
      down.complete(504, reason);
    } else {
      respondError(504, reason);
    }
  }

  private void clientGone() {
    if (done) {
      return;
    }
    if (current != null) {
      current.abandon(TryOutcome.CLIENT_GONE, "client closed the connection");
    }
    finish();
    down.complete(499, "client closed the connection");
  }

  private void relay(Attempt attempt, UpstreamExchange response) {
    int status = response.statusCode();
    attempt.relaying(response);
    AttemptObserver observer = env.observer;
    // The draw for a shadow copy, from the head (status, track that answered); the live body is
    // kept if so.
    boolean shadowed = shadow != null && shadow.sample(attempt.track(), response);
    int asked = observer.captureBodyBytes();
    relay =
        down.relay(
            response,
            attempt.track(),
            attempt.endpoint().authority(),
            shadowed ? Math.max(asked, ShadowTap.CAPTURE_BYTES) : asked,
            error -> {
              if (done) {
                return;
              }
              attempt.relayEnded();
              finish();
              Buffer body = relay == null ? null : relay.captured();
              // The observer sees what it asked for, however much the shadow kept.
              observer.relayed(
                  attempt,
                  status,
                  asked == 0 || body == null
                      ? null
                      : body.length() > asked ? body.slice(0, asked) : body,
                  error);
              down.complete(status, error);
              if (shadowed && error == null) {
                shadow.liveEnded(body); // only now: the copy never races the live answer
              }
            });
  }

  private void respondError(int status, String message) {
    respondError(status, message, message);
  }

  /**
   * @param detail for the access log: may name the endpoint's address, which clients are not told
   */
  private void respondError(int status, String message, String detail) {
    if (done) {
      return;
    }
    finish();
    down.fail(
        status, message, detail, track, current == null ? null : current.endpoint().authority());
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
    return (deadline - env.clock.nanoTime()) / 1_000_000L;
  }

  /**
   * What a client is told of an upstream failure: its kind, never an address (Netty's messages name
   * it).
   */
  private static String reason(Throwable t) {
    if (t instanceof Attempt.TryTimeoutException || t instanceof Attempt.UpstreamStatusException) {
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
}
