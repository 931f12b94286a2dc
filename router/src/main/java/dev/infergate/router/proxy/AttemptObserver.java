package dev.infergate.router.proxy;

import dev.infergate.router.routing.TrackRoute;
import dev.infergate.router.upstream.http.OutboundRequest;
import io.vertx.core.buffer.Buffer;

/**
 * Hears each try of every forwarded request: the seam for what watches tries without taking part in
 * them. Users: a client span per try ({@link TryTracing}: {@link #started} opens it, {@link
 * #outbound} sends its traceparent, {@link #ended} closes it with the outcome); rollout statistics
 * (issue 19: whether the first track tried, {@code attempt.number() == 1}, was the candidate and
 * whether its outcome was a 5xx, timeout or reset, even when a retry then served the request);
 * shadow comparison (issue 19: the live response's status and first {@link #captureBodyBytes}
 * bytes, in {@link #relayed}).
 *
 * <p>Threading: called on the request's event loop, synchronously: implementations must not block
 * and should be cheap (they run once or twice per try). Errors: an exception thrown by an observer
 * propagates into forwarding; do not throw.
 */
interface AttemptObserver {
  AttemptObserver NONE = new AttemptObserver() {};

  /** A try is about to be sent ({@link Attempt#number()}, track, endpoint and request are set). */
  default void started(Attempt attempt) {}

  /**
   * What this try sends, asked right after {@link #started}: the attempt's request, or a copy of it
   * with this try's own {@code traceparent} (the client span's, so the model server's span is its
   * child).
   */
  default OutboundRequest outbound(Attempt attempt) {
    return attempt.request();
  }

  /**
   * The try is over for its endpoint: a response head that is passed on ({@link
   * TryOutcome#ANSWERED}; its body may still be relaying), or a failure. Called exactly once per
   * started try.
   */
  default void ended(Attempt attempt, TryOutcome outcome) {}

  /**
   * The request could not be sent to the track the split (or the override) chose: no endpoint of it
   * could take it (none healthy, breakers open). It goes to the fallback track, or gets a 503. The
   * rollout statistics count it as a failure of {@code chosen}.
   */
  default void unavailable(TrackRoute chosen) {}

  /**
   * How many bytes of a relayed body to keep for {@link #relayed}; 0 (the default) keeps none and
   * costs nothing.
   */
  default int captureBodyBytes() {
    return 0;
  }

  /**
   * The relayed response is over: sent whole ({@code error} null) or cut ({@code error} says why).
   *
   * @param body the body's first {@link #captureBodyBytes()} bytes, or null when none were asked
   *     for
   */
  default void relayed(Attempt attempt, int status, Buffer body, String error) {}
}
