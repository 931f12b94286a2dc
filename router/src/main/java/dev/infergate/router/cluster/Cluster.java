package dev.infergate.router.cluster;

import dev.infergate.router.admin.AuditLog;
import dev.infergate.router.admin.OperatorState;
import dev.infergate.router.admin.StateFile;
import dev.infergate.router.config.ClusterConfig;
import dev.infergate.router.config.RouterConfig;
import dev.infergate.router.observability.RouterMetrics;
import dev.infergate.router.routing.RoutingState;
import io.vertx.core.Vertx;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * This router's part in a fleet that shares Redis ({@code cluster} in router.yaml): the shared
 * routing state and audit ({@link SharedRoutingStore}), the global rate limits ({@link
 * GlobalRateLimiter}) and rollout leadership ({@link RedisLease}), over one {@link RedisLink}.
 */
public final class Cluster implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Cluster.class.getName());

  /**
   * How long start waits for Redis's state before serving the file's (it resyncs when Redis
   * answers).
   */
  static final long START_WAIT_MILLIS = 5_000;

  /** A clean shutdown hands rollout leases over at once; past this they expire on their own. */
  static final long RELEASE_WAIT_MILLIS = 1_000;

  private final RedisLink link;
  private final SharedRoutingStore store;
  private final GlobalRateLimiter limiter;
  private final RedisLease lease;

  private Cluster(
      RedisLink link, SharedRoutingStore store, GlobalRateLimiter limiter, RedisLease lease) {
    this.link = link;
    this.store = store;
    this.limiter = limiter;
    this.lease = lease;
  }

  /**
   * Connects, takes Redis's routing state (or seeds it with {@code fromFile}) and starts following
   * it. Blocks up to {@link #START_WAIT_MILLIS}; call from the starting thread, not an event loop.
   * A Redis that is unreachable does not stop the start: the router serves {@code fromFile} and
   * local limits until it is back.
   */
  public static Cluster start(
      Vertx vertx,
      RouterConfig config,
      RoutingState routing,
      OperatorState fromFile,
      AuditLog audit,
      StateFile stateFile,
      RouterMetrics metrics)
      throws Exception {
    ClusterConfig cluster = config.cluster();
    RedisLink link = new RedisLink(vertx, cluster);
    ClusterKeys keys = new ClusterKeys(cluster.keyPrefix());
    String replica = replicaId();
    SharedRoutingStore store =
        new SharedRoutingStore(
            vertx, link, keys, routing, config, fromFile, audit, stateFile, replica);
    GlobalRateLimiter limiter =
        new GlobalRateLimiter(
            link, keys, cluster.timeoutMillis(), cluster.replicas(), metrics, System::nanoTime);
    RedisLease lease =
        new RedisLease(
            vertx,
            link,
            keys,
            replica,
            cluster.leaseMillis(),
            () -> System.nanoTime() / 1_000_000L);
    metrics.clusterGauges(link::up, store::version);
    try {
      store.start().await(START_WAIT_MILLIS, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      LOG.warning(
          "cluster: no routing state from Redis within "
              + START_WAIT_MILLIS
              + " ms; serving the state file's "
              + "until it answers");
    }
    LOG.info(
        "cluster: Redis "
            + link.description()
            + " ("
            + cluster.mode()
            + ", prefix "
            + cluster.keyPrefix()
            + "), replica "
            + replica
            + ", "
            + (link.up()
                ? "routing state version " + store.version()
                : "Redis unreachable: serving the state file's routing, local limits"));
    return new Cluster(link, store, limiter, lease);
  }

  /**
   * The pod's name in Kubernetes (HOSTNAME), else the host name; plus a random suffix, unique per
   * process.
   */
  static String replicaId() {
    String host = System.getenv("HOSTNAME");
    if (host == null || host.isBlank()) {
      try {
        host = java.net.InetAddress.getLocalHost().getHostName();
      } catch (java.io.IOException e) {
        host = "router";
      }
    }
    return host + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL);
  }

  public SharedRoutingStore store() {
    return store;
  }

  public GlobalRateLimiter limiter() {
    return limiter;
  }

  public RolloutLeadership leadership() {
    return lease;
  }

  public boolean redisUp() {
    return link.up();
  }

  /** Gives up held leases, stops following the state, closes the connections. Blocks briefly. */
  @Override
  public void close() {
    try {
      lease.release().await(RELEASE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      LOG.fine("cluster: leases not released at shutdown (" + e + "); they expire on their own");
    }
    store.close();
    link.close();
  }
}
