package dev.infergate.router.proxy;

import dev.infergate.router.routing.TrackRoute;
import dev.infergate.router.upstream.Endpoint;
import dev.infergate.router.upstream.http.OutboundRequest;
import dev.infergate.router.upstream.http.UpstreamExchange;
import dev.infergate.router.upstream.http.UpstreamTransport;
import java.net.ConnectException;
import java.util.concurrent.TimeoutException;

/**
 * One try of a request on one endpoint (Envoy's upstream request): sends it, waits for the head
 * within its per-try deadline, and ends exactly once for its endpoint, with a {@link TryOutcome}
 * that settles the endpoint's breaker, outstanding count and meters. Its {@link Phase} says where
 * it is; whether to try again is not its business ({@link RetryPolicy}, {@link Forwarding}).
 *
 * <p>A head that is passed on ends the try for the endpoint ({@link TryOutcome#ANSWERED}) and moves
 * it to {@link Phase#RELAYING}; the exchange stays attached until the body is relayed or the
 * attempt is {@link #abandon}ed. Callbacks that arrive after the attempt is done (an abandoned
 * try's late answer) are ignored, the exchange reset.
 *
 * <p>Confined to the request's event loop; time from the injected {@link NanoClock}.
 */
final class Attempt implements UpstreamExchange.Listener {
  /** Where a try is. */
  enum Phase {
    /** Sent to the transport; no connection yet. */
    CONNECTING,
    /** On a connection, the request written or being written; no response head yet. */
    AWAITING_HEAD,
    /** Its response is being passed on to the client. */
    RELAYING,
    /** Over: nothing more is done or reported. */
    DONE
  }

  /** The one who made the attempt: hears how it ended, once. */
  interface Owner {
    /** A head to pass on; the attempt is {@link Phase#RELAYING}. */
    void answered(Attempt attempt, UpstreamExchange response);

    /**
     * The try failed (done for its endpoint).
     *
     * @param response the 5xx's exchange for {@link TryOutcome#STATUS_5XX}, to relay or discard;
     *     else null
     */
    void failed(Attempt attempt, TryOutcome outcome, Throwable cause, UpstreamExchange response);
  }

  private final Owner owner;
  private final NanoClock clock;
  private final AttemptObserver observer;
  private final int number;
  private final TrackRoute track;
  private final Endpoint endpoint;
  private final OutboundRequest request;
  private final long startNanos;
  private final long deadlineNanos;
  private final long perTryMillis;
  private Phase phase = Phase.CONNECTING;
  private UpstreamExchange exchange;
  private TryOutcome outcome;
  private long nanos;

  /** This try's client span, kept by a tracing {@link AttemptObserver}; null when none. */
  Object observed;

  /**
   * @param number 1 for the request's first try
   * @param perTryMillis the try's own limit, already cut to the time the request has left
   * @param deadlineNanos when the try times out (the request's deadline when that comes first)
   */
  Attempt(
      Owner owner,
      NanoClock clock,
      AttemptObserver observer,
      int number,
      TrackRoute track,
      Endpoint endpoint,
      OutboundRequest request,
      long perTryMillis,
      long deadlineNanos) {
    this.owner = owner;
    this.clock = clock;
    this.observer = observer;
    this.number = number;
    this.track = track;
    this.endpoint = endpoint;
    this.request = request;
    this.perTryMillis = perTryMillis;
    this.deadlineNanos = deadlineNanos;
    this.startNanos = clock.nanoTime();
  }

  /** Sends the request; the endpoint was reserved by the pick. */
  void start(UpstreamTransport transport, String uri) {
    observer.started(this);
    UpstreamExchange e =
        transport.send(
            observer.outbound(this),
            endpoint.host(),
            endpoint.port(),
            endpoint.authority(),
            uri,
            (int) Math.min(Integer.MAX_VALUE, perTryMillis),
            this);
    if (phase != Phase.DONE) {
      exchange = e;
    }
  }

  int number() {
    return number;
  }

  TrackRoute track() {
    return track;
  }

  Endpoint endpoint() {
    return endpoint;
  }

  OutboundRequest request() {
    return request;
  }

  Phase phase() {
    return phase;
  }

  /** How the try ended for its endpoint; null while it waits for a head. */
  TryOutcome outcome() {
    return outcome;
  }

  /** The try's duration up to its head or failure; 0 before. */
  long nanos() {
    return nanos;
  }

  /** When the try times out, in {@link NanoClock} nanos. */
  long deadlineNanos() {
    return deadlineNanos;
  }

  /** Whether the try still waits for a head (its per-try deadline applies). */
  boolean waiting() {
    return phase == Phase.CONNECTING || phase == Phase.AWAITING_HEAD;
  }

  @Override
  public void connected() {
    if (phase == Phase.CONNECTING) {
      phase = Phase.AWAITING_HEAD;
    }
  }

  @Override
  public void head(UpstreamExchange response) {
    if (!waiting()) {
      response.reset();
      return;
    }
    exchange = null;
    int status = response.statusCode();
    if (status >= 500 && status != 501) {
      settle(TryOutcome.STATUS_5XX, new UpstreamStatusException(status), status);
      phase = Phase.DONE;
      owner.failed(this, TryOutcome.STATUS_5XX, null, response);
    } else {
      settle(TryOutcome.ANSWERED, null, status);
      phase = Phase.RELAYING;
      exchange = response;
      owner.answered(this, response);
    }
  }

  @Override
  public void failed(Throwable cause) {
    if (!waiting()) {
      return;
    }
    exchange = null;
    TryOutcome o = cause instanceof ConnectException ? TryOutcome.REFUSED : TryOutcome.RESET;
    settle(o, cause, -1);
    phase = Phase.DONE;
    if (o == TryOutcome.REFUSED) {
      // Passive health: stop picking it until a health check passes again.
      endpoint.markUnreachable();
    }
    owner.failed(this, o, cause, null);
  }

  /** The per-try deadline passed: abandons the exchange and fails the try with a timeout. */
  void timedOut() {
    if (!waiting()) {
      return;
    }
    TryTimeoutException cause =
        new TryTimeoutException("try timed out after " + perTryMillis + " ms");
    resetExchange();
    settle(TryOutcome.TRY_TIMEOUT, cause, -1);
    phase = Phase.DONE;
    owner.failed(this, TryOutcome.TRY_TIMEOUT, cause, null);
  }

  /**
   * Ends the attempt from outside, in any phase, without telling the owner: the request ran out of
   * time ({@link TryOutcome#OVERALL_TIMEOUT}, the endpoint's fault if it had not answered) or the
   * client went ({@link TryOutcome#CLIENT_GONE}, nobody's fault). The exchange is reset.
   */
  void abandon(TryOutcome why, String reason) {
    if (phase == Phase.DONE) {
      return;
    }
    if (waiting()) {
      settle(why, why == TryOutcome.OVERALL_TIMEOUT ? new TryTimeoutException(reason) : null, -1);
    }
    phase = Phase.DONE;
    resetExchange();
  }

  /** Its response (an answer, or a 5xx that is passed on) is being relayed to the client. */
  void relaying(UpstreamExchange response) {
    phase = Phase.RELAYING;
    exchange = response;
  }

  /** The relayed response is over (whole or cut). */
  void relayEnded() {
    phase = Phase.DONE;
    exchange = null;
  }

  private void resetExchange() {
    UpstreamExchange e = exchange;
    exchange = null;
    if (e != null) {
      e.reset();
    }
  }

  /** The try's end for its endpoint, exactly once: breaker, outstanding count, meters, observer. */
  private void settle(TryOutcome o, Throwable cause, int status) {
    outcome = o;
    nanos = clock.nanoTime() - startNanos;
    if (o == TryOutcome.CLIENT_GONE) {
      endpoint.abandoned();
    } else if (o == TryOutcome.ANSWERED) {
      endpoint.succeeded(nanos);
    } else {
      endpoint.failed(nanos, cause);
    }
    if (status >= 0) {
      endpoint.meters().tryCompleted(status, nanos);
    } else if (o != TryOutcome.CLIENT_GONE) {
      endpoint.meters().tryFailed(nanos);
    }
    observer.ended(this, o);
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
