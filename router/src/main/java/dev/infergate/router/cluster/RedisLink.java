package dev.infergate.router.cluster;

import dev.infergate.router.config.ClusterConfig;
import io.netty.channel.EventLoop;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * The router's connection to the cluster's Redis (vertx-redis-client: standalone, sentinel or
 * cluster), and whether Redis is reachable. A connection error marks it down, and so do timeouts,
 * but only {@link #FAILURES_TO_DOWN} or more in a row with no answer for {@link
 * #SILENCE_TO_DOWN_MILLIS}: a GC pause or a busy CPU makes a burst of pipelined calls miss their 20
 * ms together while Redis is fine, and each of those calls is decided locally anyway. While down a
 * {@code PING} every {@link #PROBE_MILLIS} looks for its return, and the {@link #onUp} listeners
 * resync. Each transition is logged once.
 *
 * <p>Threading: non-blocking, callable from any thread; futures complete on the caller's context.
 */
public final class RedisLink implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(RedisLink.class.getName());
  static final int FAILURES_TO_DOWN = 3;

  /** Timeouts mark Redis down only when nothing has answered for this long. */
  static final long SILENCE_TO_DOWN_MILLIS = 500;

  static final long PROBE_MILLIS = 200;

  /** A Redis that takes a connection this long is down, not slow. */
  static final int CONNECT_TIMEOUT_MILLIS = 1000;

  static final long PROBE_TIMEOUT_MILLIS = 1000;

  /**
   * Pooled connections for everything but the per-request calls (state, audit, leases), on top of
   * one per event loop for those.
   */
  static final int POOL_SIZE = 8;

  /**
   * Requests waiting for a pooled connection; beyond this they fail at once (and limits decide
   * locally).
   */
  static final int POOL_WAITING = 4096;

  private final Vertx vertx;
  private final Redis client;
  private final String description;
  private final AtomicInteger failuresInARow = new AtomicInteger();
  private volatile long lastAnswerNanos = System.nanoTime();
  private final List<Runnable> upListeners = new CopyOnWriteArrayList<>();

  /**
   * One long-lived connection per event loop that the rate-limit calls are pipelined on, made on
   * that loop: a call and its answer stay on the caller's thread (no hand-off between event loops,
   * no pool per request), and one turn's calls go out in one write ({@link LoopPipeline}).
   */
  private final ConcurrentHashMap<EventLoop, LoopPipeline> hot = new ConcurrentHashMap<>();

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
            .setMaxPoolSize(POOL_SIZE + eventLoops(vertx))
            .setMaxPoolWaiting(POOL_WAITING)
            .setMaxWaitingHandlers(POOL_WAITING);
    config.redis().forEach(options::addConnectionString);
    if (config.mode().equals("sentinel")) {
      options.setMasterName(config.masterName()).setRole(RedisRole.MASTER);
    }
    this.client = Redis.createClient(vertx, options);
  }

  private static int eventLoops(Vertx vertx) {
    int loops = 0;
    for (var ignored : ((VertxInternal) vertx).nettyEventLoopGroup()) {
      loops++;
    }
    return loops;
  }

  /**
   * As {@link #send}, pipelined on the caller's event loop's long-lived connection with the other
   * calls of the same loop turn: the per-request path (rate limits). The answer completes on the
   * caller's context. While that connection is being made, or off an event loop, the pooled client
   * carries the call.
   */
  public Future<Response> sendPipelined(Request request, long timeoutMillis) {
    ContextInternal caller = (ContextInternal) vertx.getOrCreateContext();
    LoopPipeline pipeline =
        hot.computeIfAbsent(caller.nettyEventLoop(), loop -> new LoopPipeline());
    RedisConnection connection = pipeline.connection();
    if (connection == null
        || connection.pendingQueueFull()
        || !caller.isEventLoopContext()
        || !caller.inThread()) {
      if (connection == null) {
        connectHot(pipeline, caller);
      }
      return send(request, timeoutMillis);
    }
    return track(pipeline.call(caller, request, timeoutMillis));
  }

  /** Event loops whose own pipelined connection is open (for tests). */
  int loopConnections() {
    return (int) hot.values().stream().filter(p -> p.connection() != null).count();
  }

  /** Makes {@code pipeline}'s connection on {@code caller}'s event loop, once at a time. */
  private void connectHot(LoopPipeline pipeline, ContextInternal caller) {
    if (closed || !pipeline.connecting.compareAndSet(false, true)) {
      return;
    }
    caller.runOnContext(
        v ->
            client
                .connect()
                .onComplete(
                    ar -> {
                      if (ar.succeeded()) {
                        RedisConnection connection = ar.result();
                        connection.exceptionHandler(t -> pipeline.drop(connection));
                        connection.endHandler(end -> pipeline.drop(connection));
                        pipeline.connected(connection);
                        if (closed) {
                          pipeline.close();
                        }
                      }
                      pipeline.connecting.set(false);
                    }));
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
            lastAnswerNanos = System.nanoTime();
            if (failuresInARow.get() != 0) {
              failuresInARow.set(0);
            }
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

  /**
   * Redis does not have the script: {@code NOSCRIPT ...}, or as a pipelined batch reports it,
   * {@code ERR [i] NOSCRIPT ...} per command.
   */
  static boolean isNoScript(Throwable cause) {
    String message = cause.getMessage();
    return isErrorReply(cause)
        && message != null
        && (message.startsWith("NOSCRIPT") || message.contains("] NOSCRIPT"));
  }

  private void failed(Throwable cause) {
    int failures = failuresInARow.incrementAndGet();
    if (cause instanceof TimeoutException
        && (failures < FAILURES_TO_DOWN
            || System.nanoTime() - lastAnswerNanos
                < TimeUnit.MILLISECONDS.toNanos(SILENCE_TO_DOWN_MILLIS))) {
      return; // slow answers: those calls were decided locally; Redis may well be fine
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
                lastAnswerNanos = System.nanoTime();
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
    hot.values().forEach(LoopPipeline::close);
    client.close();
  }
}
