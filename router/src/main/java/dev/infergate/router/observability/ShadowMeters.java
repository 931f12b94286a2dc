package dev.infergate.router.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * The shadow counters of one service and (live track, shadow track) pair, and the duration of its
 * copies. The counters are the one source of the shadow's counts: the admin API and the rollout
 * analysis read them back. Thread-safe, non-blocking.
 */
public final class ShadowMeters {
  private final Counter agreed;
  private final Counter disagreed;
  private final Counter errors;
  private final Counter dropped;
  private final Counter notComparable;
  private final Timer duration;

  ShadowMeters(MeterRegistry registry, String service, String liveTrack, String shadowTrack) {
    Tags tags =
        Tags.of(
            MetricNames.TAG_SERVICE,
            service,
            MetricNames.TAG_LIVE_TRACK,
            liveTrack,
            MetricNames.TAG_SHADOW_TRACK,
            shadowTrack);
    this.agreed = result(registry, tags, "agreed");
    this.disagreed = result(registry, tags, "disagreed");
    this.errors = result(registry, tags, "error");
    this.dropped = result(registry, tags, "dropped");
    this.notComparable = result(registry, tags, "not_comparable");
    this.duration = RouterMetrics.latencyTimer(registry, MetricNames.SHADOW_DURATION, tags);
  }

  private static Counter result(MeterRegistry registry, Tags tags, String result) {
    return RouterMetrics.counter(
        registry, MetricNames.SHADOW_REQUESTS, tags.and(MetricNames.TAG_RESULT, result));
  }

  public void agreed() {
    agreed.increment();
  }

  public void disagreed() {
    disagreed.increment();
  }

  public void error() {
    errors.increment();
  }

  public void dropped() {
    dropped.increment();
  }

  public void notComparable() {
    notComparable.increment();
  }

  /** A copy's time from sending to the end of its answer (or to its failure). */
  public void duration(long nanos) {
    duration.record(nanos, TimeUnit.NANOSECONDS);
  }

  public long agreedCount() {
    return (long) agreed.count();
  }

  public long disagreedCount() {
    return (long) disagreed.count();
  }

  public long errorCount() {
    return (long) errors.count();
  }

  public long droppedCount() {
    return (long) dropped.count();
  }

  public long notComparableCount() {
    return (long) notComparable.count();
  }
}
