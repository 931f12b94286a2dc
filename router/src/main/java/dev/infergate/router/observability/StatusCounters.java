package dev.infergate.router.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Counters of one tag set split by HTTP status, looked up by an array index instead of a registry
 * lookup per request (a Micrometer lookup builds a Meter.Id each time).
 */
final class StatusCounters {
  private static final int MAX_STATUS = 600;
  private final MeterRegistry registry;
  private final String name;
  private final Tags tags;
  private final AtomicReferenceArray<Counter> byStatus = new AtomicReferenceArray<>(MAX_STATUS);
  private volatile Counter error;

  StatusCounters(MeterRegistry registry, String name, Tags tags) {
    this.registry = registry;
    this.name = name;
    this.tags = tags;
  }

  void increment(int status) {
    if (status < 0 || status >= MAX_STATUS) {
      status = 0;
    }
    Counter c = byStatus.get(status);
    if (c == null) {
      c = registry.counter(name, tags.and(MetricNames.TAG_STATUS, Integer.toString(status)));
      byStatus.set(status, c);
    }
    c.increment();
  }

  void incrementError() {
    Counter c = error;
    if (c == null) {
      c = registry.counter(name, tags.and(MetricNames.TAG_STATUS, MetricNames.STATUS_ERROR));
      error = c;
    }
    c.increment();
  }
}
