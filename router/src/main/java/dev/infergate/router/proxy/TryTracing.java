package dev.infergate.router.proxy;

import dev.infergate.router.routing.TrackRoute;
import dev.infergate.router.upstream.http.OutboundRequest;
import dev.infergate.telemetry.Tracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.vertx.core.buffer.Buffer;

/**
 * A client span per try (issue 21), so that retries and failover show in the trace: opened when the
 * try starts, as a child of the request's server span (whose traceparent the request carries), and
 * ended with the try's {@link TryOutcome}. The try sends its own span's {@code traceparent}, so the
 * model server's span hangs under the try that reached it. Only installed when tracing is on.
 *
 * <p>Threading: on the request's event loop, as every {@link AttemptObserver}; never throws.
 */
final class TryTracing implements AttemptObserver {
  private final Tracing tracing;

  /** The observer this one wraps (the rollout statistics): it hears every call too. */
  private final AttemptObserver next;

  TryTracing(Tracing tracing, AttemptObserver next) {
    this.tracing = tracing;
    this.next = next;
  }

  @Override
  public void started(Attempt attempt) {
    next.started(attempt);
    OutboundRequest request = attempt.request();
    Span span =
        tracing
            .tracer()
            .spanBuilder("try " + attempt.track().name())
            .setSpanKind(SpanKind.CLIENT)
            .setParent(Tracing.parent(request.traceparent()))
            .setAttribute(SpanNames.TRY, attempt.number())
            .setAttribute(SpanNames.TRACK, attempt.track().name())
            .setAttribute(SpanNames.ENDPOINT, attempt.endpoint().authority())
            .startSpan();
    attempt.observed = span;
  }

  @Override
  public OutboundRequest outbound(Attempt attempt) {
    String tp = attempt.observed instanceof Span span ? Tracing.traceparent(span) : null;
    return tp == null ? attempt.request() : attempt.request().withTraceparent(tp);
  }

  @Override
  public void ended(Attempt attempt, TryOutcome outcome) {
    next.ended(attempt, outcome);
    if (attempt.observed instanceof Span span) {
      span.setAttribute(SpanNames.OUTCOME, outcome.name());
      if (outcome != TryOutcome.ANSWERED && outcome != TryOutcome.CLIENT_GONE) {
        span.setStatus(StatusCode.ERROR, outcome.name());
      }
      span.end();
    }
  }

  @Override
  public void unavailable(TrackRoute chosen) {
    next.unavailable(chosen);
  }

  @Override
  public int captureBodyBytes() {
    return next.captureBodyBytes();
  }

  @Override
  public void relayed(Attempt attempt, int status, Buffer body, String error) {
    next.relayed(attempt, status, body, error);
  }
}
