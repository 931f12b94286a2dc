package dev.infergate.router.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.router.config.ClusterConfig;
import dev.infergate.router.testsupport.Poll;
import dev.infergate.router.testsupport.RedisServer;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Rollout leadership through a lease in a real redis-server: one leader, and a take-over when it
 * dies.
 */
class RedisLeaseTest {
  private static final long LEASE_MILLIS =
      4000; // long enough that a loaded machine renews well inside it
  private RedisServer redis;
  private Vertx first;
  private Vertx second;

  @BeforeEach
  void start() throws Exception {
    redis = RedisServer.start();
    first = Vertx.vertx();
    second = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    first.close().await();
    second.close().await();
    redis.close();
  }

  private RedisLease lease(Vertx vertx, String replica, AtomicLong clock) {
    RedisLink link = new RedisLink(vertx, ClusterConfig.of(redis.url()));
    return new RedisLease(
        vertx,
        link,
        new ClusterKeys("lease-test"),
        replica,
        LEASE_MILLIS,
        clock == null ? () -> System.nanoTime() / 1_000_000L : clock::get);
  }

  @Test
  void oneReplicaLeadsAndTheOtherTakesOverWithinTheLeaseWhenItDies() throws Exception {
    RedisLease a = lease(first, "replica-a", null);
    RedisLease b = lease(second, "replica-b", null);
    assertFalse(a.leads("iris"), "the first call only makes the replica a candidate");
    assertFalse(b.leads("iris"));
    a.renewAll().await(10, TimeUnit.SECONDS);
    b.renewAll().await(10, TimeUnit.SECONDS);
    assertTrue(a.leads("iris"), "the first to ask holds the lease");
    assertFalse(b.leads("iris"), "never two leaders");
    Poll.until(
        Duration.ofSeconds(5),
        () -> {
          b.renewAll();
          return !b.leads("iris") && a.leads("iris");
        },
        "a to keep renewing");

    long killedAt = System.nanoTime();
    first.close().await(); // dies: stops renewing, releases nothing
    Poll.until(
        Duration.ofMillis(LEASE_MILLIS + LEASE_MILLIS / 3 + 2000),
        () -> b.leads("iris"),
        "b to take over once a's lease expired");
    long tookMillis = (System.nanoTime() - killedAt) / 1_000_000L;
    assertTrue(
        tookMillis >= LEASE_MILLIS / 2,
        "not before a's lease could have run out: " + tookMillis + " ms");
    assertEquals("$9", redis.command("GET lease-test:lease:iris").substring(0, 2));
  }

  @Test
  void cleanCloseReleasesTheLeaseForTheNextCandidateAtOnce() throws Exception {
    RedisLease a = lease(first, "replica-a", null);
    RedisLease b = lease(second, "replica-b", null);
    a.leads("iris");
    b.leads("iris");
    a.renewAll().await(10, TimeUnit.SECONDS);
    b.renewAll().await(10, TimeUnit.SECONDS);
    assertTrue(a.leads("iris"));
    assertFalse(b.leads("iris"));
    a.close();
    assertFalse(a.leads("iris"), "gave it up");
    Poll.until(
        Duration.ofSeconds(5),
        () -> redis.command("EXISTS lease-test:lease:iris").equals(":0"),
        "a to release its lease");
    // Well before the lease would have expired: the next renewal round takes it.
    b.renewAll().await(10, TimeUnit.SECONDS);
    assertTrue(b.leads("iris"));
  }

  @Test
  void replicaCutOffFromRedisStopsLeadingBeforeItsLeaseCouldPassToAnother() throws Exception {
    AtomicLong clock = new AtomicLong(1_000_000);
    RedisLease a = lease(first, "replica-a", clock);
    a.leads("iris");
    a.renewAll().await(10, TimeUnit.SECONDS);
    assertTrue(a.leads("iris"));
    redis.kill();
    clock.addAndGet(LEASE_MILLIS - LEASE_MILLIS / RedisLease.SAFETY_DIVISOR - 1);
    assertTrue(a.leads("iris"), "still inside its lease, minus the safety margin");
    clock.addAndGet(2);
    a.renewAll().await(10, TimeUnit.SECONDS);
    assertFalse(a.leads("iris"), "no renewal answered: its view of the lease ran out first");
  }
}
