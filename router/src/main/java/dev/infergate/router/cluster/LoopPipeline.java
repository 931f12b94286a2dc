package dev.infergate.router.cluster;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.internal.ContextInternal;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One event loop's long-lived Redis connection for the per-request calls, and the calls made on
 * that loop in one turn written to it together: the first call of a turn schedules a flush after
 * the turn's I/O, so the requests decoded from every socket that was readable go out in one write
 * (one system call for the router, one read for Redis) and share one timer. Envoy's ratelimit
 * service pipelines its Redis calls the same way (REDIS_PIPELINE_WINDOW).
 *
 * <p>Threading: {@link #call} runs on this pipeline's event loop; {@link #connection} and {@link
 * #drop} may be used from any thread.
 */
final class LoopPipeline {
  final AtomicBoolean connecting = new AtomicBoolean();
  private volatile RedisConnection connection;

  /** This turn's calls (event-loop confined); null when none is waiting for the flush. */
  private List<Request> requests;

  private List<Promise<Response>> answers;
  private long timeoutMillis;

  RedisConnection connection() {
    return connection;
  }

  void connected(RedisConnection made) {
    connection = made;
  }

  void drop(RedisConnection gone) {
    if (connection == gone) {
      connection = null;
    }
  }

  void close() {
    RedisConnection current = connection;
    connection = null;
    if (current != null) {
      current.close();
    }
  }

  /**
   * Queues {@code request} for this turn's write; the answer completes on {@code loop}, failing
   * with a {@link TimeoutException} after {@code timeoutMillis}. Call on {@code loop}'s thread.
   */
  Future<Response> call(ContextInternal loop, Request request, long timeoutMillis) {
    Promise<Response> answer = loop.promise();
    if (requests == null) {
      requests = new ArrayList<>();
      answers = new ArrayList<>();
      this.timeoutMillis = timeoutMillis;
      loop.runOnContext(v -> flush(loop));
    }
    requests.add(request);
    answers.add(answer);
    this.timeoutMillis = Math.min(this.timeoutMillis, timeoutMillis);
    return answer.future();
  }

  private void flush(ContextInternal loop) {
    List<Request> sent = requests;
    List<Promise<Response>> waiting = answers;
    requests = null;
    answers = null;
    long timer =
        loop.setTimer(
            timeoutMillis,
            id -> {
              TimeoutException late =
                  new TimeoutException("Redis did not answer within " + timeoutMillis + " ms");
              waiting.forEach(answer -> answer.tryFail(late));
            });
    RedisConnection current = connection;
    Future<List<Response>> replies =
        current == null
            ? Future.failedFuture("Redis connection closed")
            : sent.size() == 1
                ? current.send(sent.get(0)).map(Collections::singletonList)
                : current.batch(sent);
    replies.onComplete(
        ar -> {
          loop.owner().cancelTimer(timer);
          for (int i = 0; i < waiting.size(); i++) {
            if (ar.succeeded()) {
              waiting.get(i).tryComplete(ar.result().get(i));
            } else {
              // An error reply to any of them fails the batch: NOSCRIPT after a Redis restart
              // fails every EVALSHA in it, and each caller then sends its script whole.
              waiting.get(i).tryFail(ar.cause());
            }
          }
        });
  }
}
