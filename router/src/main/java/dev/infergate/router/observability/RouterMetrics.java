package dev.infergate.router.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The router's meter registry and the factories for the meter holders the hot path keeps (so that a
 * request never looks a meter up by name). Thread-safe.
 */
public final class RouterMetrics {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final TrackMeters unrouted =
      new TrackMeters(registry, MetricNames.NONE, MetricNames.NONE, new TrackOutcomes());

  /**
   * By service and track; kept across routing snapshots, so a weight change does not lose a
   * window's counts.
   */
  private final ConcurrentHashMap<String, TrackOutcomes> outcomes = new ConcurrentHashMap<>();

  private final ConcurrentHashMap<String, Counter> failovers = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> budgetExhausted = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> authFailures = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> rateLimited = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> adminChanges = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> rateLimitFallbacks = new ConcurrentHashMap<>();

  /** The weight gauges of the tracks in the published routing table, by [service, track]. */
  private final Map<List<String>, AtomicInteger> weights = new HashMap<>();

  private final Map<List<String>, Gauge> weightGauges = new HashMap<>();

  public MeterRegistry registry() {
    return registry;
  }

  /** Prometheus text exposition format. */
  public String scrape() {
    return registry.scrape();
  }

  public TrackMeters track(String service, String track) {
    return new TrackMeters(registry, service, track, outcomes(service, track));
  }

  /**
   * The first-try outcomes of requests first sent to that track (the rollout analysis reads them).
   */
  public TrackOutcomes outcomes(String service, String track) {
    return outcomes.computeIfAbsent(service + '\0' + track, k -> new TrackOutcomes());
  }

  /** Meters of requests answered before a service was chosen. */
  public TrackMeters unrouted() {
    return unrouted;
  }

  public EndpointMeters endpoint(String service, String track, String endpoint) {
    return new EndpointMeters(registry, service, track, endpoint);
  }

  /** The shadow meters of one service and track pair (a new holder each call: keep it). */
  public ShadowMeters shadow(String service, String liveTrack, String shadowTrack) {
    return new ShadowMeters(registry, service, liveTrack, shadowTrack);
  }

  /** Registers the gauge of a service's shadow copies in flight. */
  public void shadowInFlight(String service, java.util.function.IntSupplier inFlight) {
    io.micrometer.core.instrument.Gauge.builder(MetricNames.SHADOW_IN_FLIGHT, inFlight::getAsInt)
        .description(MetricNames.help(MetricNames.SHADOW_IN_FLIGHT))
        .tags(Tags.of(MetricNames.TAG_SERVICE, service))
        .register(registry);
  }

  /**
   * Publishes the traffic share of every track of a new routing table ({@code [service, track]} →
   * percent); the gauges of tracks it no longer has are removed. Called on each table swap, not per
   * request.
   */
  public synchronized void trackWeights(Map<List<String>, Integer> current) {
    current.forEach(
        (key, weight) ->
            weights
                .computeIfAbsent(
                    key,
                    k -> {
                      AtomicInteger value = new AtomicInteger();
                      weightGauges.put(
                          k,
                          Gauge.builder(MetricNames.TRACK_WEIGHT, value, AtomicInteger::get)
                              .description(MetricNames.help(MetricNames.TRACK_WEIGHT))
                              .tags(
                                  MetricNames.TAG_SERVICE,
                                  k.get(0),
                                  MetricNames.TAG_TRACK,
                                  k.get(1))
                              .strongReference(true)
                              .register(registry));
                      return value;
                    })
                .set(weight));
    weights
        .keySet()
        .removeIf(
            key -> {
              if (current.containsKey(key)) {
                return false;
              }
              registry.remove(weightGauges.remove(key));
              return true;
            });
  }

  public void failover(String service, String from, String to) {
    failovers
        .computeIfAbsent(
            service + '\0' + from + '\0' + to,
            k ->
                counter(
                    registry,
                    MetricNames.FAILOVERS,
                    Tags.of(
                        MetricNames.TAG_SERVICE,
                        service,
                        MetricNames.TAG_FROM,
                        from,
                        MetricNames.TAG_TO,
                        to)))
        .increment();
  }

  public void retryBudgetExhausted(String service) {
    budgetExhausted
        .computeIfAbsent(
            service,
            s ->
                counter(
                    registry,
                    MetricNames.RETRY_BUDGET_EXHAUSTED,
                    Tags.of(MetricNames.TAG_SERVICE, s)))
        .increment();
  }

  /**
   * @param listener {@code proxy} or {@code admin}
   * @param reason {@code missing}, {@code invalid} or {@code forbidden}
   */
  public void authFailure(String listener, String reason) {
    authFailures
        .computeIfAbsent(
            listener + '\0' + reason,
            k ->
                counter(
                    registry,
                    MetricNames.AUTH_FAILURES,
                    Tags.of(MetricNames.TAG_LISTENER, listener, MetricNames.TAG_REASON, reason)))
        .increment();
  }

  public void rateLimited(String service) {
    rateLimited
        .computeIfAbsent(
            service,
            s -> counter(registry, MetricNames.RATE_LIMITED, Tags.of(MetricNames.TAG_SERVICE, s)))
        .increment();
  }

  /**
   * @param result {@code applied}, {@code rejected} (invalid, 4xx) or {@code failed} (not saved)
   */
  public void adminChange(String action, String result) {
    adminChanges
        .computeIfAbsent(
            action + '\0' + result,
            k ->
                counter(
                    registry,
                    MetricNames.ADMIN_CHANGES,
                    Tags.of(MetricNames.TAG_ACTION, action, MetricNames.TAG_RESULT, result)))
        .increment();
  }

  /**
   * @param reason {@code down} (Redis known unreachable), {@code timeout} or {@code error}
   */
  public void rateLimitFallback(String reason) {
    rateLimitFallbacks
        .computeIfAbsent(
            reason,
            r ->
                counter(
                    registry, MetricNames.RATE_LIMIT_FALLBACK, Tags.of(MetricNames.TAG_REASON, r)))
        .increment();
  }

  /**
   * Registers the cluster's gauges: Redis reachable (1/0) and the shared state's version served.
   */
  public void clusterGauges(
      java.util.function.BooleanSupplier redisUp, java.util.function.LongSupplier version) {
    io.micrometer.core.instrument.Gauge.builder(
            MetricNames.CLUSTER_REDIS_UP, () -> redisUp.getAsBoolean() ? 1 : 0)
        .description(MetricNames.help(MetricNames.CLUSTER_REDIS_UP))
        .register(registry);
    io.micrometer.core.instrument.Gauge.builder(
            MetricNames.CLUSTER_STATE_VERSION, version::getAsLong)
        .description(MetricNames.help(MetricNames.CLUSTER_STATE_VERSION))
        .register(registry);
  }

  public void configReload(boolean applied) {
    counter(
            registry,
            MetricNames.CONFIG_RELOADS,
            Tags.of(MetricNames.TAG_RESULT, applied ? "applied" : "rejected"))
        .increment();
  }

  /** The counter of that name and tags, registered with its help text. */
  static Counter counter(MeterRegistry registry, String name, Tags tags) {
    return Counter.builder(name).description(MetricNames.help(name)).tags(tags).register(registry);
  }

  static Timer latencyTimer(MeterRegistry registry, String name, Tags tags) {
    // Bounded histogram: 100 µs .. 30 s covers proxying and inference; the default range adds far
    // more buckets per tag set.
    return Timer.builder(name)
        .description(MetricNames.help(name))
        .tags(tags)
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofNanos(100_000))
        .maximumExpectedValue(Duration.ofSeconds(30))
        .register(registry);
  }
}
