package dev.infergate.router.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Meters of one endpoint of one track; {@link #close()} removes them when the endpoint goes (a pod
 * left its DNS name, or the config dropped it). Tries that end after that are not counted.
 */
public final class EndpointMeters implements AutoCloseable {
  private final MeterRegistry registry;
  private final Tags tags;
  private final StatusCounters tries;
  private final Timer duration;
  // Written from event loops (lazy retry counters) and the config thread.
  private final List<Meter> owned = new CopyOnWriteArrayList<>();
  private volatile Counter retryAfterError;
  private volatile Counter retryAfterStatus;
  private volatile boolean closed;

  EndpointMeters(MeterRegistry registry, String service, String track, String endpoint) {
    this.registry = registry;
    this.tags =
        Tags.of(
            MetricNames.TAG_SERVICE,
            service,
            MetricNames.TAG_TRACK,
            track,
            MetricNames.TAG_ENDPOINT,
            endpoint);
    this.tries = new StatusCounters(registry, MetricNames.UPSTREAM_REQUESTS, tags);
    this.duration = RouterMetrics.latencyTimer(registry, MetricNames.UPSTREAM_DURATION, tags);
    owned.add(duration);
  }

  /**
   * Registers the gauges that read the endpoint's live state.
   *
   * @param breakerState name of the breaker's current state (CLOSED, OPEN, HALF_OPEN...)
   */
  public void bindState(
      Supplier<String> breakerState, BooleanSupplier healthy, IntSupplier outstanding) {
    for (String state : List.of("CLOSED", "OPEN", "HALF_OPEN")) {
      owned.add(
          Gauge.builder(MetricNames.BREAKER_STATE, breakerState, s -> state.equals(s.get()) ? 1 : 0)
              .description(MetricNames.help(MetricNames.BREAKER_STATE))
              .tags(tags.and(MetricNames.TAG_STATE, state.toLowerCase(Locale.ROOT)))
              .strongReference(true)
              .register(registry));
    }
    owned.add(
        Gauge.builder(MetricNames.ENDPOINT_HEALTHY, healthy, h -> h.getAsBoolean() ? 1 : 0)
            .description(MetricNames.help(MetricNames.ENDPOINT_HEALTHY))
            .tags(tags)
            .strongReference(true)
            .register(registry));
    owned.add(
        Gauge.builder(MetricNames.ENDPOINT_OUTSTANDING, outstanding, IntSupplier::getAsInt)
            .description(MetricNames.help(MetricNames.ENDPOINT_OUTSTANDING))
            .tags(tags)
            .strongReference(true)
            .register(registry));
  }

  public void tryCompleted(int status, long nanos) {
    tries.increment(status);
    duration.record(nanos, TimeUnit.NANOSECONDS);
  }

  public void tryFailed(long nanos) {
    tries.incrementError();
    duration.record(nanos, TimeUnit.NANOSECONDS);
  }

  /** A retry was made because a try on this endpoint failed. */
  public void retried(RetryReason reason) {
    Counter c =
        switch (reason) {
          case ERROR -> retryAfterError;
          case STATUS -> retryAfterStatus;
        };
    if (c == null) {
      if (closed) {
        return;
      }
      c =
          RouterMetrics.counter(
              registry, MetricNames.RETRIES, tags.and(MetricNames.TAG_REASON, reason.tag()));
      owned.add(c);
      if (closed) {
        registry.remove(c);
      }
      switch (reason) {
        case ERROR -> retryAfterError = c;
        case STATUS -> retryAfterStatus = c;
      }
    }
    c.increment();
  }

  @Override
  public void close() {
    closed = true;
    tries.remove();
    for (Meter m : owned) {
      registry.remove(m);
    }
  }
}
