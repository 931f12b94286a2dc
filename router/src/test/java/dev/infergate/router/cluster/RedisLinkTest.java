package dev.infergate.router.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.router.config.ClusterConfig;
import dev.infergate.router.testsupport.Poll;
import dev.infergate.router.testsupport.RedisServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * When the link calls Redis down, against a real redis-server made slow with {@code CLIENT PAUSE}
 * (it holds every client's commands, as a stalled or overloaded Redis would).
 */
class RedisLinkTest {
  private RedisServer redis;
  private Vertx vertx;
  private RedisLink link;

  @BeforeEach
  void start() throws Exception {
    redis = RedisServer.start();
    vertx = Vertx.vertx();
    link = new RedisLink(vertx, ClusterConfig.of(redis.url()));
    link.send(Request.cmd(Command.PING), 5_000).await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    link.close();
    vertx.close().await();
    redis.close();
  }

  private List<Throwable> pingsAtOnce(int n, long timeoutMillis) throws Exception {
    List<Future<?>> calls = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      calls.add(link.sendPipelined(Request.cmd(Command.PING), timeoutMillis));
    }
    Future.join(calls).otherwiseEmpty().await(10, TimeUnit.SECONDS);
    return calls.stream().map(Future::cause).toList();
  }

  @Test
  void aBurstOfTimeoutsRightAfterAnAnswerLeavesRedisUp() throws Exception {
    assertEquals("+OK", redis.command("CLIENT PAUSE 400 ALL"));
    List<Throwable> causes = pingsAtOnce(5, 20);
    assertTrue(
        causes.stream().allMatch(c -> c instanceof TimeoutException),
        "all five timed out: " + causes);
    assertTrue(
        link.up(),
        "five timeouts in a row, but Redis answered well within "
            + RedisLink.SILENCE_TO_DOWN_MILLIS
            + " ms: slow, not down");
  }

  @Test
  void timeoutsWithNoAnswerForLongMarkItDownAndItComesBackAfterwards() throws Exception {
    assertEquals("+OK", redis.command("CLIENT PAUSE 3000 ALL"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while (link.up() && System.nanoTime() < deadline) {
      pingsAtOnce(3, 20);
    }
    assertFalse(link.up(), "silent for longer than " + RedisLink.SILENCE_TO_DOWN_MILLIS + " ms");
    Poll.until(Duration.ofSeconds(10), link::up, "probed back up once the pause ends");
  }
}
