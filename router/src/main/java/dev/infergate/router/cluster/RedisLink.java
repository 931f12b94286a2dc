package dev.infergate.router.cluster;

import dev.infergate.router.config.ClusterConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisRole;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * The router's connection to the cluster's Redis (vertx-redis-client: standalone, sentinel or
 * cluster), and whether Redis is reachable. A connection error, or {@link #FAILURES_TO_DOWN}
 * timeouts in a row, mark it down; while down a {@code PING} every {@link #PROBE_MILLIS} looks for
 * its return, and the {@link #onUp} listeners resync. Each transition is logged once.
 *
 * <p>Threading: non-blocking, callable from any thread; futures complete on the caller's context.
 */
public final class RedisLink implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(RedisLink.class.getName());
  static final int FAILURES_TO_DOWN = 3;
  static final long PROBE_MILLIS = 200;

  /** A Redis that takes a connection this long is down, not slow. */
  static final int CONNECT_TIMEOUT_MILLIS = 1000;

  static final long PROBE_TIMEOUT_MILLIS = 1000;

  /** Connections shared by every event loop; each pipelines its commands. */
  static final int POOL_SIZE = 8;

  /**
   * Requests waiting for a pooled connection; beyond this they fail at once (and limits decide
   * locally).
   */
  static final int POOL_WAITING = 4096;

  /**
   * Pipelined connections for the per-request calls: Redis answers in order on each, so a few
   * suffice.
   */
  static final int HOT_CONNECTIONS = 4;

  private final Vertx vertx;
  private final Redis client;
  private final String description;
  private final AtomicInteger failuresInARow = new AtomicInteger();
  private final List<Runnable> upListeners = new CopyOnWriteArrayList<>();

  /**
   * Long-lived connections the rate-limit calls are pipelined on (no pool hand-off per request).
   */
  private final RedisConnection[] hot = new RedisConnection[HOT_CONNECTIONS];

  private final java.util.concurrent.atomic.AtomicBoolean[] connecting =
      new java.util.concurrent.atomic.AtomicBoolean[HOT_CONNECTIONS];
  private final AtomicInteger nextHot = new AtomicInteger();
  private volatile boolean up = true;
  private volatile boolean closed;
  private long probeTimer = -1;

  public RedisLink(Vertx vertx, ClusterConfig config) {
    this.vertx = vertx;
    this.description =
        String.join(",", config.redis().stream().map(ClusterConfig::redact).toList());
    RedisOptions options =
        new RedisOptions()
            .setType(
                switch (config.mode()) {
                  case "sentinel" -> RedisClientType.SENTINEL;
                  case "cluster" -> RedisClientType.CLUSTER;
                  default -> RedisClientType.STANDALONE;
                })
            .setNetClientOptions(
                new NetClientOptions()
                    .setConnectTimeout(CONNECT_TIMEOUT_MILLIS)
                    .setTcpNoDelay(true))
            .setMaxPoolSize(POOL_SIZE)
            .setMaxPoolWaiting(POOL_WAITING)
            .setMaxWaitingHandlers(POOL_WAITING);
    config.redis().forEach(options::addConnectionString);
    if (config.mode().equals("sentinel")) {
      options.setMasterName(config.masterName()).setRole(RedisRole.MASTER);
    }
    this.client = Redis.createClient(vertx, options);
    for (int i = 0; i < HOT_CONNECTIONS; i++) {
      connecting[i] = new java.util.concurrent.atomic.AtomicBoolean();
    }
  }

  /**
   * As {@link #send}, pipelined on one of a few long-lived connections: the per-request path (rate
   * limits). The answer is handed back to the caller's context. While a connection is being made,
   * the pooled client carries the call.
   */
  public Future<Response> sendPipelined(Request request, long timeoutMillis) {
    int i = (nextHot.getAndIncrement() & Integer.MAX_VALUE) % HOT_CONNECTIONS;
    RedisConnection connection = hot[i];
    if (connection == null || connection.pendingQueueFull()) {
      connectHot(i);
      return send(request, timeoutMillis);
    }
    io.vertx.core.internal.ContextInternal caller =
        (io.vertx.core.internal.ContextInternal) vertx.getOrCreateContext();
    io.vertx.core.Promise<Response> answer = caller.promise();
    connection.send(request).onComplete(answer);
    return track(answer.future().timeout(timeoutMillis, TimeUnit.MILLISECONDS));
  }

  private void connectHot(int i) {
    if (closed || !connecting[i].compareAndSet(false, true)) {
      return;
    }
    client
        .connect()
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                RedisConnection connection = ar.result();
                connection.exceptionHandler(t -> dropHot(i, connection));
                connection.endHandler(v -> dropHot(i, connection));
                if (closed) {
                  connection.close();
                } else {
                  hot[i] = connection;
                }
              }
              connecting[i].set(false);
            });
  }

  private void dropHot(int i, RedisConnection connection) {
    if (hot[i] == connection) {
      hot[i] = null;
    }
  }

  /**
   * Whether Redis answered recently; false from the first connection error until a probe succeeds.
   */
  public boolean up() {
    return up;
  }

  /** What the log names: the URLs, passwords redacted. */
  public String description() {
    return description;
  }

  /** {@code listener} runs (on a Vert.x thread) each time Redis comes back after being down. */
  public void onUp(Runnable listener) {
    upListeners.add(listener);
  }

  /**
   * Sends one command with a deadline; its outcome updates {@link #up}. An error reply from Redis
   * (a script error, NOSCRIPT) is an answer: Redis is up.
   */
  public Future<Response> send(Request request, long timeoutMillis) {
    return track(client.send(request).timeout(timeoutMillis, TimeUnit.MILLISECONDS));
  }

  private Future<Response> track(Future<Response> call) {
    return call.andThen(
        ar -> {
          if (ar.succeeded() || isErrorReply(ar.cause())) {
            failuresInARow.set(0);
          } else {
            failed(ar.cause());
          }
        });
  }

  /** A connection of its own (pub/sub); the caller closes it. */
  public Future<RedisConnection> connect() {
    return client.connect();
  }

  static boolean isErrorReply(Throwable cause) {
    return cause instanceof io.vertx.redis.client.impl.types.ErrorType;
  }

  static boolean isNoScript(Throwable cause) {
    return isErrorReply(cause)
        && cause.getMessage() != null
        && cause.getMessage().startsWith("NOSCRIPT");
  }

  private void failed(Throwable cause) {
    int failures = failuresInARow.incrementAndGet();
    if (cause instanceof TimeoutException && failures < FAILURES_TO_DOWN) {
      return; // one slow answer: that call was decided locally; Redis may well be fine
    }
    markDown(cause);
  }

  /** Marks Redis unreachable (logged once per outage) and starts probing for its return. */
  void markDown(Throwable cause) {
    synchronized (this) {
      if (!up || closed) {
        return;
      }
      up = false;
      probeTimer = vertx.setPeriodic(PROBE_MILLIS, id -> probe());
    }
    LOG.warning(
        "cluster: Redis "
            + description
            + " unreachable ("
            + cause
            + "); routing keeps its last state, "
            + "rate limits are local (plan limit / cluster.replicas), admin changes get 503 until it is back");
  }

  private void probe() {
    client
        .send(Request.cmd(Command.PING))
        .timeout(PROBE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
        .onSuccess(
            pong -> {
              synchronized (this) {
                if (up || closed) {
                  return;
                }
                up = true;
                failuresInARow.set(0);
                vertx.cancelTimer(probeTimer);
              }
              LOG.info(
                  "cluster: Redis "
                      + description
                      + " reachable again; resyncing the shared state, limits are global");
              upListeners.forEach(Runnable::run);
            });
  }

  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      if (probeTimer >= 0) {
        vertx.cancelTimer(probeTimer);
      }
    }
    for (int i = 0; i < HOT_CONNECTIONS; i++) {
      RedisConnection connection = hot[i];
      hot[i] = null;
      if (connection != null) {
        connection.close();
      }
    }
    client.close();
  }
}
