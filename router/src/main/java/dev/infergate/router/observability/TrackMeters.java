package dev.infergate.router.observability;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/** Client-facing meters of one service and track (or of unrouted requests). Thread-safe. */
public final class TrackMeters {
  private final StatusCounters requests;
  private final Timer duration;
  private final TrackOutcomes outcomes;

  TrackMeters(MeterRegistry registry, String service, String track, TrackOutcomes outcomes) {
    this.outcomes = outcomes;
    Tags tags = Tags.of(MetricNames.TAG_SERVICE, service, MetricNames.TAG_TRACK, track);
    this.requests = new StatusCounters(registry, MetricNames.REQUESTS, tags);
    this.duration = RouterMetrics.latencyTimer(registry, MetricNames.REQUEST_DURATION, tags);
  }

  /** How requests first sent to this track fared on that first try. */
  public TrackOutcomes outcomes() {
    return outcomes;
  }

  public void record(int status, long nanos) {
    requests.increment(status);
    duration.record(nanos, TimeUnit.NANOSECONDS);
  }
}
