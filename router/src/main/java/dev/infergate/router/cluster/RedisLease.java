package dev.infergate.router.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * Rollout leadership by a lease per service in Redis: a key holding the leader's id with an expiry
 * of {@code cluster.leaseMillis}. Every third of that, each replica runs one script per service it
 * is a candidate for: the holder renews, anyone else takes the key only when it is gone. A replica
 * that dies stops renewing, its key expires, and the next candidate's attempt takes over, so within
 * {@code leaseMillis} plus one renewal interval.
 *
 * <p>{@link #leads} trusts a lease only until the local clock says it could have expired in Redis,
 * minus a margin ({@link #SAFETY_DIVISOR}), measured from when the renewal was sent: a replica cut
 * off from Redis stops leading before another can take over. Thread-safe, non-blocking.
 */
public final class RedisLease implements RolloutLeadership, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(RedisLease.class.getName());

  /** The local view ends a tenth of the lease early: room for clock rate differences and delays. */
  static final long SAFETY_DIVISOR = 10;

  /** KEYS: lease key. ARGV: replica id, lease millis. 1 when this replica holds it now. */
  static final LuaScript ACQUIRE_OR_RENEW =
      new LuaScript(
          """
      local holder = redis.call('GET', KEYS[1])
      if holder == ARGV[1] then
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        return 1
      end
      if holder == false then
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        return 1
      end
      return 0
      """);

  /** KEYS: lease key. ARGV: replica id. Deletes the lease only if this replica holds it. */
  static final LuaScript RELEASE =
      new LuaScript(
          """
      if redis.call('GET', KEYS[1]) == ARGV[1] then
        return redis.call('DEL', KEYS[1])
      end
      return 0
      """);

  private final Vertx vertx;
  private final RedisLink link;
  private final ClusterKeys keys;
  private final String replica;
  private final long leaseMillis;
  private final LongSupplier millisClock;

  /** Service → local deadline (clock millis) until which this replica leads; 0: not leading. */
  private final Map<String, Long> heldUntil = new ConcurrentHashMap<>();

  private final long timer;

  /** Per service, when the newest answered round was sent. Guarded by this. */
  private final Map<String, Long> answeredSentAt = new java.util.HashMap<>();

  /**
   * @param millisClock a monotonic clock in milliseconds (tests pass a fake one)
   */
  public RedisLease(
      Vertx vertx,
      RedisLink link,
      ClusterKeys keys,
      String replica,
      long leaseMillis,
      LongSupplier millisClock) {
    this.vertx = vertx;
    this.link = link;
    this.keys = keys;
    this.replica = replica;
    this.leaseMillis = leaseMillis;
    this.millisClock = millisClock;
    this.timer = vertx.setPeriodic(Math.max(1, leaseMillis / 3), id -> renewAll());
  }

  @Override
  public boolean leads(String service) {
    Long until = heldUntil.putIfAbsent(service, 0L);
    return until != null && millisClock.getAsLong() < until;
  }

  /** The id this replica holds leases under. */
  public String replica() {
    return replica;
  }

  /** Runs one acquire-or-renew round for every service this replica is a candidate for. */
  public Future<Void> renewAll() {
    List<Future<Void>> rounds = new ArrayList<>();
    for (String service : heldUntil.keySet()) {
      rounds.add(renew(service));
    }
    return Future.join(rounds).mapEmpty();
  }

  private Future<Void> renew(String service) {
    long sentAt = millisClock.getAsLong();
    return ACQUIRE_OR_RENEW
        .run(
            link,
            List.of(keys.lease(service)),
            List.of(replica, Long.toString(leaseMillis)),
            SharedRoutingStore.ADMIN_TIMEOUT_MILLIS)
        .map(
            r -> {
              boolean held = r.toLong() == 1;
              long until = held ? sentAt + leaseMillis - leaseMillis / SAFETY_DIVISOR : 0L;
              Long before;
              synchronized (this) {
                // Rounds overlap (timer and explicit calls): an answer to an older round must not
                // undo a newer one.
                if (sentAt < answeredSentAt.getOrDefault(service, Long.MIN_VALUE)) {
                  return (Void) null;
                }
                answeredSentAt.put(service, sentAt);
                before = heldUntil.put(service, until);
              }
              boolean was = before != null && before > sentAt;
              if (held != was) {
                LOG.info(
                    "cluster: "
                        + (held
                            ? "this router (" + replica + ") now drives"
                            : "this router no longer drives")
                        + " the rollouts of service "
                        + service);
              }
              return (Void) null;
            })
        .otherwiseEmpty(); // unreachable: the local deadline runs out on its own
  }

  /**
   * Stops renewing and gives up held leases, so another replica takes over at once (a clean
   * shutdown).
   */
  @Override
  public void close() {
    release();
  }

  /**
   * As {@link #close}; the future completes when Redis has answered the releases (or failed to).
   */
  public Future<Void> release() {
    vertx.cancelTimer(timer);
    List<Future<?>> releases = new ArrayList<>();
    for (Map.Entry<String, Long> lease : heldUntil.entrySet()) {
      if (lease.getValue() > millisClock.getAsLong()) {
        releases.add(
            RELEASE.run(
                link,
                List.of(keys.lease(lease.getKey())),
                List.of(replica),
                SharedRoutingStore.ADMIN_TIMEOUT_MILLIS));
      }
      lease.setValue(0L);
    }
    return Future.join(releases).<Void>mapEmpty().otherwiseEmpty();
  }
}
