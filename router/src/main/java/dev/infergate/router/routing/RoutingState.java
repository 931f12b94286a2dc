package dev.infergate.router.routing;

import dev.infergate.router.config.Defaults;
import dev.infergate.router.config.EndpointAddress;
import dev.infergate.router.config.RetryConfig;
import dev.infergate.router.config.RouterConfig;
import dev.infergate.router.config.ServiceConfig;
import dev.infergate.router.config.Strategy;
import dev.infergate.router.config.TrackConfig;
import dev.infergate.router.observability.RouterMetrics;
import dev.infergate.router.upstream.Endpoint;
import dev.infergate.router.upstream.EndpointGroup;
import dev.infergate.router.upstream.EndpointRegistry;
import dev.infergate.router.upstream.RetryBudget;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;
import java.util.random.RandomGenerator;

/**
 * The current {@link RoutingTable}, replaced whole by {@link #apply}: everything (endpoints, bucket
 * ranges, path prefixes) is computed first and published with one atomic set, as Spring Cloud
 * Gateway's weight calculator does. Config reloads, and later the admin write API (weights,
 * promote, rollback: a changed {@link RouterConfig} passed to {@link #apply}), go through here.
 * Reads are lock-free; applies are serialised.
 *
 * <p>Pods of {@code dns://} endpoints take the same road: when the pods behind a name change, the
 * registry calls {@link #refresh}, which rebuilds the current config's snapshot with the pods known
 * now. A new pod becomes an endpoint with its own breaker and health check; a gone one is left out
 * of the new snapshot and retired, while requests that picked it from the old snapshot finish on
 * it. So the hot path stays as it was: one volatile read, then immutable arrays, no locks.
 */
public final class RoutingState {
  private static final Logger LOG = Logger.getLogger(RoutingState.class.getName());
  private final AtomicReference<RoutingTable> current = new AtomicReference<>();
  private final EndpointRegistry endpoints;
  private final RouterMetrics metrics;
  private final RandomGenerator random;
  private final Map<String, RetryBudget> budgets = new HashMap<>();

  public RoutingState(EndpointRegistry endpoints, RouterMetrics metrics, RandomGenerator random) {
    this.endpoints = endpoints;
    this.metrics = metrics;
    this.random = random;
    endpoints.onPodsChanged(this::refresh);
  }

  public RoutingTable current() {
    return current.get();
  }

  /**
   * Builds the snapshot for {@code config}, publishes it, then retires endpoints it no longer
   * names.
   */
  public RoutingTable apply(RouterConfig config) {
    // Resolves the dns names the config adds before taking the lock: a slow DNS answer then holds
    // up
    // nothing but this apply.
    endpoints.discover(configured(config));
    return build(config);
  }

  /** Rebuilds the current snapshot with the pods known now (they changed). */
  synchronized void refresh() {
    RoutingTable table = current.get();
    if (table != null) {
      build(table.config());
    }
  }

  private synchronized RoutingTable build(RouterConfig config) {
    Set<String> keep = new HashSet<>();
    List<ServiceRoute> services = new ArrayList<>();
    Map<String, RetryBudget> nextBudgets = new HashMap<>();
    Map<List<String>, Integer> shares = new HashMap<>();
    for (ServiceConfig s : config.services().values()) {
      List<TrackRoute> tracks = new ArrayList<>();
      int active = 0;
      for (TrackConfig t : s.tracks()) {
        List<Endpoint> group = new ArrayList<>();
        for (EndpointAddress a : replicas(s, t)) {
          Endpoint e = endpoints.endpoint(s, t, a);
          keep.add(e.key());
          group.add(e);
        }
        if (t.name().equals(s.active())) {
          active = tracks.size();
        }
        shares.put(
            List.of(s.name(), t.name()),
            s.strategy() == Strategy.CANARY ? t.weight() : t.name().equals(s.active()) ? 100 : 0);
        tracks.add(
            new TrackRoute(
                s.model(), t, new EndpointGroup(group, random), metrics.track(s.name(), t.name())));
      }
      TrackSplit split =
          s.strategy() == Strategy.CANARY
              ? TrackSplit.weighted(s.weights())
              : TrackSplit.allTo(active, tracks.size());
      RetryBudget budget = budget(s);
      nextBudgets.put(s.name(), budget);
      services.add(new ServiceRoute(s, tracks, split, budget));
    }
    RoutingTable table = new RoutingTable(config, services);
    current.set(table);
    metrics.trackWeights(shares);
    budgets.clear();
    budgets.putAll(nextBudgets);
    endpoints.retainOnly(keep, configured(config));
    return table;
  }

  /**
   * The track's replicas, dns names expanded, each once, at most {@value
   * Defaults#MAX_ENDPOINTS_PER_TRACK}.
   */
  private List<EndpointAddress> replicas(ServiceConfig s, TrackConfig t) {
    Set<EndpointAddress> all = new LinkedHashSet<>();
    for (EndpointAddress a : t.endpoints()) {
      all.addAll(endpoints.replicas(a));
    }
    List<EndpointAddress> list = new ArrayList<>(all);
    if (list.size() > Defaults.MAX_ENDPOINTS_PER_TRACK) {
      LOG.warning(
          "services."
              + s.name()
              + ".tracks."
              + t.name()
              + ": "
              + list.size()
              + " replicas, routing to the first "
              + Defaults.MAX_ENDPOINTS_PER_TRACK
              + " only");
      list = list.subList(0, Defaults.MAX_ENDPOINTS_PER_TRACK);
    }
    return list;
  }

  private static Set<EndpointAddress> configured(RouterConfig config) {
    Set<EndpointAddress> all = new HashSet<>();
    for (ServiceConfig s : config.services().values()) {
      for (TrackConfig t : s.tracks()) {
        all.addAll(t.endpoints());
      }
    }
    return all;
  }

  /**
   * The service's budget carries over a reload when its settings stay, so in-flight counts stay
   * right.
   */
  private RetryBudget budget(ServiceConfig s) {
    RetryConfig r = s.retry();
    RetryBudget old = budgets.get(s.name());
    if (old != null
        && old.percent() == r.budgetPercent()
        && old.minConcurrent() == r.minConcurrent()) {
      return old;
    }
    return new RetryBudget(r.budgetPercent(), r.minConcurrent());
  }
}
