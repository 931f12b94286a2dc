package dev.infergate.router.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Counters of one tag set split by HTTP status, looked up by an array index instead of a registry
 * lookup per request (a Micrometer lookup builds a Meter.Id each time). Created lazily, so {@link
 * #remove()} is what takes them out of the registry again.
 */
final class StatusCounters {
  private static final int MAX_STATUS = 600;
  private final MeterRegistry registry;
  private final String name;
  private final Tags tags;
  private final AtomicReferenceArray<Counter> byStatus = new AtomicReferenceArray<>(MAX_STATUS);
  private volatile Counter error;
  private volatile boolean removed;

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
      c = register(tags.and(MetricNames.TAG_STATUS, Integer.toString(status)));
      if (c == null) {
        return;
      }
      byStatus.set(status, c);
    }
    c.increment();
  }

  void incrementError() {
    Counter c = error;
    if (c == null) {
      c = register(tags.and(MetricNames.TAG_STATUS, MetricNames.STATUS_ERROR));
      if (c == null) {
        return;
      }
      error = c;
    }
    c.increment();
  }

  /** Takes every counter out of the registry; later increments of new statuses are dropped. */
  void remove() {
    removed = true;
    for (int i = 0; i < MAX_STATUS; i++) {
      Counter c = byStatus.get(i);
      if (c != null) {
        registry.remove(c);
      }
    }
    Counter e = error;
    if (e != null) {
      registry.remove(e);
    }
  }

  /** A registered counter, or null once removed (a try that ends after its endpoint went). */
  private Counter register(Tags withStatus) {
    if (removed) {
      return null;
    }
    Counter c =
        Counter.builder(name)
            .description(MetricNames.help(name))
            .tags(withStatus)
            .register(registry);
    if (removed) {
      // remove() ran meanwhile and may have missed this one.
      registry.remove(c);
    }
    return c;
  }
}
