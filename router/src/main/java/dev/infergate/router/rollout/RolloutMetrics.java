package dev.infergate.router.rollout;

import dev.infergate.router.observability.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * The rollout's meters per service: phase (one gauge per phase, 1 for the current), step, the
 * candidate's weight in force, and analyses by verdict. Gauges read the driver's state at scrape
 * time. Thread-safe.
 */
final class RolloutMetrics {
  private final MeterRegistry registry;
  private final Set<String> registered = ConcurrentHashMap.newKeySet();

  RolloutMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /**
   * Registers {@code service}'s gauges once; they read its state through {@code states} from then
   * on.
   */
  void register(
      String service,
      Function<String, RolloutState> states,
      ToIntFunction<String> candidateWeight) {
    if (!registered.add(service)) {
      return;
    }
    for (Phase p : Phase.values()) {
      Gauge.builder(MetricNames.ROLLOUT_PHASE, () -> states.apply(service).phase() == p ? 1 : 0)
          .description(MetricNames.help(MetricNames.ROLLOUT_PHASE))
          .tags(Tags.of(MetricNames.TAG_SERVICE, service, MetricNames.TAG_PHASE, p.jsonName()))
          .register(registry);
    }
    Gauge.builder(MetricNames.ROLLOUT_STEP, () -> states.apply(service).step())
        .description(MetricNames.help(MetricNames.ROLLOUT_STEP))
        .tags(Tags.of(MetricNames.TAG_SERVICE, service))
        .register(registry);
    RolloutState now = states.apply(service);
    if (now.config() != null) {
      candidate(service, now.config().candidate(), candidateWeight);
    }
  }

  /** The gauge of a candidate's weight (registering it again is a no-op). */
  void candidate(String service, String candidate, ToIntFunction<String> candidateWeight) {
    // Replicas following another's rollout see its candidate at every persisted step: register
    // once.
    if (!registered.add(service + "\u0000" + candidate)) {
      return;
    }
    Gauge.builder(MetricNames.ROLLOUT_WEIGHT, () -> candidateWeight.applyAsInt(candidate))
        .description(MetricNames.help(MetricNames.ROLLOUT_WEIGHT))
        .tags(Tags.of(MetricNames.TAG_SERVICE, service, MetricNames.TAG_TRACK, candidate))
        .register(registry);
  }

  void analysed(String service, Verdict verdict) {
    Counter.builder(MetricNames.ROLLOUT_ANALYSES)
        .description(MetricNames.help(MetricNames.ROLLOUT_ANALYSES))
        .tags(
            Tags.of(MetricNames.TAG_SERVICE, service, MetricNames.TAG_VERDICT, verdict.jsonName()))
        .register(registry)
        .increment();
  }
}
