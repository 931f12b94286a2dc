package dev.infergate.router.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.router.config.ClusterConfig;
import dev.infergate.router.testsupport.Poll;
import dev.infergate.router.testsupport.RedisServer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.LongStream;
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

  /** {@code n} calls made in one turn of one event loop (the rate limiter's path). */
  private List<Future<Response>> inOneLoopTurn(int n, Request request, long timeoutMillis)
      throws Exception {
    Context loop = vertx.getOrCreateContext();
    Promise<List<Future<Response>>> made = Promise.promise();
    loop.runOnContext(
        v -> {
          List<Future<Response>> calls = new ArrayList<>();
          for (int i = 0; i < n; i++) {
            calls.add(link.sendPipelined(request, timeoutMillis));
          }
          made.complete(calls);
        });
    List<Future<Response>> calls = made.future().await(10, TimeUnit.SECONDS);
    Future.join(calls).otherwiseEmpty().await(10, TimeUnit.SECONDS);
    return calls;
  }

  private List<Throwable> pingsAtOnce(int n, long timeoutMillis) throws Exception {
    return inOneLoopTurn(n, Request.cmd(Command.PING), timeoutMillis).stream()
        .map(Future::cause)
        .toList();
  }

  @Test
  void callsOfOneLoopTurnEachGetTheirOwnAnswerInOrder() throws Exception {
    inOneLoopTurn(1, Request.cmd(Command.PING), 5_000); // makes the loop's connection
    Poll.until(
        Duration.ofSeconds(10), () -> link.loopConnections() == 1, "the loop's own connection");
    List<Future<Response>> calls =
        inOneLoopTurn(200, Request.cmd(Command.INCR).arg("counter"), 5_000);
    assertEquals(
        LongStream.rangeClosed(1, 200).boxed().toList(),
        calls.stream().map(f -> f.result().toLong()).toList(),
        "200 INCRs, answered in the order they were made");
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
