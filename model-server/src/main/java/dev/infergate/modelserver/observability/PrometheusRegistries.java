package dev.infergate.modelserver.observability;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Set;

/**
 * The server's Prometheus registry, with Micrometer's stock JVM meters kept inside Prometheus's
 * naming rules so that {@code promtool check metrics} finds nothing to complain about.
 */
public final class PrometheusRegistries {
  /**
   * Counted in milliseconds and nanoseconds, so exported as {@code jvm_compilation_time_ms_total}
   * and {@code process_cpu_time_ns_total}, which promtool refuses (abbreviated units; Prometheus
   * wants seconds). A filter cannot rescale a value, so they are dropped: {@code process_cpu_usage}
   * stays.
   */
  static final Set<String> DROPPED = Set.of("jvm.compilation.time", "process.cpu.time");

  /**
   * A gauge named {@code *_count} reads as a histogram part to promtool; same value, plain name.
   */
  static final String CPU_COUNT = "system.cpu.count";

  static final String CPU_COUNT_RENAMED = "system.cpus";

  private PrometheusRegistries() {}

  /** A new registry with the naming filters installed before any meter registers. */
  public static PrometheusMeterRegistry create() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry
        .config()
        .meterFilter(MeterFilter.deny(id -> DROPPED.contains(id.getName())))
        .meterFilter(
            new MeterFilter() {
              @Override
              public Meter.Id map(Meter.Id id) {
                return id.getName().equals(CPU_COUNT) ? id.withName(CPU_COUNT_RENAMED) : id;
              }
            });
    return registry;
  }
}
