package dev.infergate.router.upstream;

import dev.infergate.router.config.EndpointAddress;
import dev.infergate.router.config.ServiceConfig;
import dev.infergate.router.config.TrackConfig;
import dev.infergate.router.observability.RouterMetrics;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Every live {@link Endpoint}, keyed by service/track/address. A config change asks for the
 * endpoints it names: those that stay keep their breaker (unless its settings changed), health and
 * meters; new ones start their health checks; {@link #retainOnly} retires the rest. A {@code
 * dns://} address stands for the pods its name resolves to ({@link #replicas}), each its own
 * endpoint; the registry watches those names ({@link PodDiscovery}) and calls {@link
 * #onPodsChanged} when they change. Called by the (serialised) config-apply path only; thread-safe.
 *
 * <p>A retired endpoint leaves every pick set at once but is not interrupted: requests already sent
 * to it hold it and finish. Its health checks stop and its meters go when it is retired.
 */
public final class EndpointRegistry {
  private static final Logger LOG = Logger.getLogger(EndpointRegistry.class.getName());

  private final Breakers breakers;
  private final HealthChecker healthChecker;
  private final RouterMetrics metrics;
  private final PodDiscovery discovery;
  private final Map<String, Endpoint> live = new LinkedHashMap<>();

  /**
   * With the {@link HostResolver#configured() configured} resolver for {@code dns://} endpoints.
   */
  public EndpointRegistry(Breakers breakers, HealthChecker healthChecker, RouterMetrics metrics) {
    this(breakers, healthChecker, metrics, HostResolver.configured());
  }

  public EndpointRegistry(
      Breakers breakers,
      HealthChecker healthChecker,
      RouterMetrics metrics,
      HostResolver resolver) {
    this.breakers = breakers;
    this.healthChecker = healthChecker;
    this.metrics = metrics;
    this.discovery = new PodDiscovery(healthChecker.vertx(), resolver);
  }

  /**
   * Starts watching the {@code dns://} names among {@code addresses} that are new, resolving them
   * at once (blocking, unless called on an event loop). Call it before {@link #replicas}, and
   * without holding locks that an event loop may want.
   */
  public void discover(Collection<EndpointAddress> addresses) {
    discovery.watch(addresses);
  }

  /** The replicas behind a configured address: itself, or the pods last known for a dns name. */
  public List<EndpointAddress> replicas(EndpointAddress configured) {
    return configured.isDns() ? discovery.pods(configured) : List.of(configured);
  }

  /** {@code listener} runs (on a worker thread) whenever the pods of a watched name change. */
  public void onPodsChanged(Runnable listener) {
    discovery.onChange(listener);
  }

  /** The endpoint for this service/track/address, created or updated to these settings. */
  public synchronized Endpoint endpoint(
      ServiceConfig service, TrackConfig track, EndpointAddress address) {
    String key = Endpoint.key(service.name(), track.name(), address);
    Endpoint e = live.get(key);
    if (e == null) {
      e =
          new Endpoint(
              service.name(),
              track.name(),
              address,
              metrics.endpoint(service.name(), track.name(), address.authority()));
      e.breaker(breakers.create(key, service.circuitBreaker()), service.circuitBreaker());
      Endpoint created = e;
      e.meters()
          .bindState(() -> created.breakerState().name(), created::healthy, created::outstanding);
      live.put(key, e);
    } else if (!e.breakerConfig().equals(service.circuitBreaker())) {
      LOG.info(key + ": circuit breaker settings changed, breaker starts afresh");
      e.breaker(breakers.create(key, service.circuitBreaker()), service.circuitBreaker());
    }
    healthChecker.start(
        e,
        service.healthCheck(),
        HealthChecker.modelReadyPath(service.model(), track.modelVersion()));
    return e;
  }

  /**
   * Retires every endpoint whose key is not in {@code keep} and stops watching the dns names that
   * are not among {@code configured}.
   */
  public synchronized void retainOnly(Set<String> keep, Set<EndpointAddress> configured) {
    discovery.retainOnly(configured);
    List<Endpoint> gone = new ArrayList<>();
    live.values()
        .removeIf(
            e -> {
              if (keep.contains(e.key())) {
                return false;
              }
              gone.add(e);
              return true;
            });
    for (Endpoint e : gone) {
      healthChecker.stop(e);
      breakers.remove(e.key());
      e.meters().close();
    }
  }

  public synchronized Collection<Endpoint> all() {
    return List.copyOf(live.values());
  }

  /** Stops every health check and DNS watch (shutdown). */
  public synchronized void close() {
    discovery.close();
    for (Endpoint e : live.values()) {
      healthChecker.stop(e);
    }
  }
}
