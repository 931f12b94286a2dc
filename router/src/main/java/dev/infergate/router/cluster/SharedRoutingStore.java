package dev.infergate.router.cluster;

import dev.infergate.router.admin.AuditLog;
import dev.infergate.router.admin.ChangeRejectedException;
import dev.infergate.router.admin.OperatorChanges;
import dev.infergate.router.admin.OperatorState;
import dev.infergate.router.admin.RolloutControl;
import dev.infergate.router.admin.RolloutStore;
import dev.infergate.router.admin.RoutingChanges;
import dev.infergate.router.admin.ServiceOverride;
import dev.infergate.router.admin.StateFile;
import dev.infergate.router.admin.StoreUnavailableException;
import dev.infergate.router.admin.VersionConflictException;
import dev.infergate.router.config.ConfigException;
import dev.infergate.router.config.RouterConfig;
import dev.infergate.router.config.ServiceConfig;
import dev.infergate.router.routing.RoutingState;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The routing state every replica shares, in Redis: a hash with {@code version} and the state's
 * JSON ({@link SharedState}). A change through any replica is validated against the newest state,
 * then written by one Lua script that compares the version and sets, appends the audit record to a
 * stream and publishes the new version, atomically; the loser of a race gets {@link
 * VersionConflictException} (409) and its attempt is audited too. Every replica applies a new
 * version on the pub/sub message, or at the latest at the next version check ({@link
 * #SYNC_INTERVAL_MILLIS}), so a missed message cannot leave one behind.
 *
 * <p>Redis down: routing keeps the version it had, changes fail with {@link
 * StoreUnavailableException} (503), never applied on one replica only. Redis back: the replica
 * takes Redis's state; a Redis that came back empty (no persistence) is seeded again with the state
 * the replicas kept. At start the same rule holds: Redis's state wins, else this router's file
 * seeds it.
 *
 * <p>Threading: non-blocking; routing is rebuilt and the local copies (state file, audit.jsonl) are
 * written on worker threads, in order.
 */
public final class SharedRoutingStore implements OperatorChanges, RolloutStore, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(SharedRoutingStore.class.getName());

  /** Version checks: together with pub/sub, every replica serves a change within a second. */
  static final long SYNC_INTERVAL_MILLIS = 200;

  /** Admin changes and state reads are not on the request path: a generous deadline. */
  static final long ADMIN_TIMEOUT_MILLIS = 2000;

  /**
   * The shared audit stream keeps about this many records (trimmed approximately, as Redis does
   * cheaply).
   */
  static final int AUDIT_MAX_LENGTH = 10_000;

  /**
   * KEYS: state hash, audit stream. ARGV: expected version, new state JSON, channel, audit max
   * length, subject, action, service, old routing JSON, new routing JSON, replica. Returns {1, new
   * version} or {0, current version, current state JSON}.
   */
  static final LuaScript CHANGE =
      new LuaScript(
          """
      local current = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
      if current ~= tonumber(ARGV[1]) then
        redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], '*', 'outcome', 'conflict', 'version', current,
          'basedOn', ARGV[1], 'subject', ARGV[5], 'action', ARGV[6], 'service', ARGV[7], 'requested', ARGV[9],
          'replica', ARGV[10])
        return {0, current, redis.call('HGET', KEYS[1], 'json') or ''}
      end
      local v = current + 1
      redis.call('HSET', KEYS[1], 'version', v, 'json', ARGV[2])
      redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], '*', 'outcome', 'applied', 'version', v,
        'subject', ARGV[5], 'action', ARGV[6], 'service', ARGV[7], 'old', ARGV[8], 'new', ARGV[9], 'replica', ARGV[10])
      redis.call('PUBLISH', ARGV[3], v)
      return {1, v}
      """);

  /**
   * KEYS: state hash, audit stream. ARGV: version, state JSON, channel, audit max length, replica.
   * 1 when seeded.
   */
  static final LuaScript SEED =
      new LuaScript(
          """
      if redis.call('EXISTS', KEYS[1]) == 1 then
        return 0
      end
      redis.call('HSET', KEYS[1], 'version', ARGV[1], 'json', ARGV[2])
      redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], '*', 'outcome', 'seeded', 'version', ARGV[1],
        'replica', ARGV[5])
      redis.call('PUBLISH', ARGV[3], ARGV[1])
      return 1
      """);

  private final Vertx vertx;
  private final Context context;
  private final RedisLink link;
  private final ClusterKeys keys;
  private final RoutingState routing;
  private final AuditLog localAudit;
  private final StateFile stateFile;
  private final String replica;
  private volatile RouterConfig fileConfig;
  private volatile SharedState current;

  /**
   * Loads answer out of order across pooled connections: only the newest load's answer is applied.
   */
  private final AtomicLong loads = new AtomicLong();

  private long appliedLoad;
  private RedisConnection subscriber;
  private boolean subscribing;
  private long timer = -1;
  private volatile boolean closed;

  /**
   * @param fromFile the operator state this router's state file holds: served until Redis answers,
   *     and what seeds an empty Redis
   * @param replica names this router in the shared audit (host name or pod name)
   */
  public SharedRoutingStore(
      Vertx vertx,
      RedisLink link,
      ClusterKeys keys,
      RoutingState routing,
      RouterConfig fileConfig,
      OperatorState fromFile,
      AuditLog localAudit,
      StateFile stateFile,
      String replica) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.link = link;
    this.keys = keys;
    this.routing = routing;
    this.fileConfig = fileConfig;
    this.localAudit = localAudit;
    this.stateFile = stateFile;
    this.replica = replica;
    // A rollout saved in the file before cluster was turned on seeds Redis too, and goes on from
    // its step.
    JsonObject fileRollouts = new JsonObject();
    fromFile.rollouts().forEach((service, state) -> fileRollouts.put(service, state.copy()));
    this.current = new SharedState(0, fromFile, fileRollouts);
  }

  /**
   * Takes Redis's state, or seeds Redis with this router's; then follows changes. Completes once
   * the state is settled, or at once when Redis is unreachable (this router then serves its file's
   * state and resyncs when Redis returns). Never fails.
   */
  public Future<Void> start() {
    link.onUp(this::resync);
    return Future.<Void>future(
        started ->
            context.runOnContext(
                v -> {
                  timer = vertx.setPeriodic(SYNC_INTERVAL_MILLIS, id -> tick());
                  subscribe();
                  resync().onComplete(ar -> started.complete());
                }));
  }

  /** The state this replica serves. */
  public SharedState current() {
    return current;
  }

  @Override
  public ServiceOverride override(String service) {
    return current.operator().override(service);
  }

  @Override
  public long version() {
    return current.version();
  }

  /** The rollout driver's persisted state of {@code service}, or null. */
  public JsonObject rollout(String service) {
    JsonObject state = current.rollouts().getJsonObject(service);
    return state == null ? null : state.copy();
  }

  /**
   * Persists the rollout driver's state of {@code service} (null removes it) with compare-and-set
   * on {@code expectedVersion}; yields the new version. Fails with {@link VersionConflictException}
   * or {@link StoreUnavailableException}, as admin changes do.
   */
  public Future<Long> putRollout(
      String service, JsonObject state, long expectedVersion, String subject) {
    if (!link.up()) {
      return Future.failedFuture(unavailable());
    }
    SharedState base = current;
    SharedState next = base.withRollout(service, state);
    JsonObject after = state == null ? new JsonObject() : state;
    return write(expectedVersion, next, subject, "rollout", service, new JsonObject(), after);
  }

  @Override
  public Map<String, JsonObject> rollouts() {
    return current.rolloutsByService();
  }

  /**
   * Blocking (call from a worker): {@link #rolloutChange} within twice {@link
   * #ADMIN_TIMEOUT_MILLIS}.
   */
  @Override
  public void commit(
      String service,
      String action,
      JsonObject basedOn,
      JsonObject rollout,
      Map<String, Integer> weights,
      String subject)
      throws ChangeRejectedException,
          StoreUnavailableException,
          RolloutControl.ChangeNotRecordedException {
    try {
      rolloutChange(service, action, basedOn, rollout, weights, subject)
          .toCompletionStage()
          .toCompletableFuture()
          .get(2 * ADMIN_TIMEOUT_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable cause =
          e.getCause() instanceof java.util.concurrent.CompletionException c
              ? c.getCause()
              : e.getCause();
      if (cause instanceof ChangeRejectedException r) {
        throw r;
      }
      if (cause instanceof StoreUnavailableException u) {
        throw u;
      }
      throw new StoreUnavailableException(
          "the cluster's Redis refused the rollout change: " + cause.getMessage());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new StoreUnavailableException(
          "the cluster's Redis did not answer the rollout change in time");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreUnavailableException("interrupted while committing the rollout change");
    }
  }

  /**
   * One transition of {@code service}'s automated rollout: its state in the {@code rollouts}
   * section and, when it moves them, the tracks' weights, in ONE compare-and-set with one audit
   * record (published to every replica as any change). Fails with {@link VersionConflictException}
   * when the persisted rollout state is no longer {@code basedOn} (another replica moved it: a
   * driver that lost its lease, or an operator) or the version moved meanwhile; {@link
   * StoreUnavailableException} when Redis is away.
   */
  public Future<JsonObject> rolloutChange(
      String service,
      String action,
      JsonObject basedOn,
      JsonObject rollout,
      Map<String, Integer> weights,
      String subject) {
    return readForChange()
        .compose(
            remote -> {
              SharedState base = remote != null ? remote : current;
              RouterConfig file = fileConfig;
              ServiceConfig fileService = file.services().get(service);
              if (fileService == null) {
                return Future.failedFuture(new RolloutControl.UnknownServiceException(service));
              }
              JsonObject persisted = base.rollouts().getJsonObject(service);
              JsonObject before =
                  RolloutControl.withRollout(describe(file, base.operator(), service), persisted);
              if (!java.util.Objects.equals(persisted, basedOn)) {
                return Future.failedFuture(
                    new VersionConflictException(service, base.version(), before));
              }
              OperatorState next = base.operator();
              if (weights != null) {
                JsonObject body = new JsonObject();
                weights.forEach(body::put);
                try {
                  next = next.with(service, RoutingChanges.weights(fileService, body));
                } catch (ChangeRejectedException e) {
                  return Future.failedFuture(e);
                }
              }
              JsonObject after = RolloutControl.withRollout(describe(file, next, service), rollout);
              long expected = remote == null ? 0 : remote.version();
              return write(
                      expected,
                      base.withOperator(next).withRollout(service, rollout),
                      subject,
                      action,
                      service,
                      before,
                      after)
                  .map(version -> after.copy().put("version", version));
            });
  }

  @Override
  public void fileChanged(RouterConfig next) {
    fileConfig = next;
    SharedState state = current;
    context.executeBlocking(
        () -> routing.apply(RoutingChanges.effective(next, state.operator())), true);
  }

  @Override
  public Future<JsonObject> change(
      String action, String service, JsonObject body, String subject, Long ifMatch) {
    return readForChange()
        .compose(
            remote -> {
              SharedState base = remote != null ? remote : current;
              RouterConfig file = fileConfig;
              OperatorState next;
              try {
                next = RoutingChanges.next(action, service, body, file, base.operator());
              } catch (ChangeRejectedException e) {
                return Future.failedFuture(e);
              }
              JsonObject before = describe(file, base.operator(), service);
              JsonObject after = describe(file, next, service);
              // No state in Redis (it lost it and no replica has seeded it again yet): the version
              // it has is 0.
              long expected = ifMatch != null ? ifMatch : remote == null ? 0 : remote.version();
              return write(
                      expected, base.withOperator(next), subject, action, service, before, after)
                  .map(version -> after.copy().put("version", version));
            });
  }

  /** The CAS script; on success this replica applies the new state before answering. */
  private Future<Long> write(
      long expected,
      SharedState next,
      String subject,
      String action,
      String service,
      JsonObject before,
      JsonObject after) {
    List<String> args =
        List.of(
            Long.toString(expected),
            next.encode(),
            keys.channel(),
            Integer.toString(AUDIT_MAX_LENGTH),
            subject,
            action,
            service,
            before.encode(),
            after.encode(),
            replica);
    return CHANGE
        .run(link, List.of(keys.state(), keys.audit()), args, ADMIN_TIMEOUT_MILLIS)
        .recover(
            cause ->
                Future.failedFuture(
                    RedisLink.isErrorReply(cause)
                        ? cause
                        : new StoreUnavailableException(
                            "the cluster's Redis did not answer in time ("
                                + cause.getMessage()
                                + "); if the change was applied, "
                                + "GET /admin/services/"
                                + service
                                + " shows its version on every replica within a second")))
        .compose(
            r -> {
              if (r.get(0).toLong() == 1) {
                long version = r.get(1).toLong();
                copyToLocalAudit(version, subject, action, service, before, after);
                return adopt(
                        new SharedState(version, next.operator(), next.rollouts()), Long.MAX_VALUE)
                    .map(version);
              }
              long version = r.get(1).toLong();
              String json = r.get(2).toString();
              JsonObject now = before;
              try {
                if (!json.isEmpty()) {
                  now =
                      describe(
                          fileConfig,
                          SharedState.decode(version, json, keys.state()).operator(),
                          service);
                }
              } catch (ConfigException e) {
                LOG.warning("cluster: " + e.getMessage());
              }
              checkVersion();
              return Future.failedFuture(new VersionConflictException(service, version, now));
            });
  }

  private static JsonObject describe(RouterConfig file, OperatorState state, String service) {
    ServiceConfig effective = RoutingChanges.effective(file, state).services().get(service);
    return RoutingChanges.describe(effective);
  }

  @Override
  public Future<JsonArray> audit(String service, int limit) {
    if (!link.up()) {
      return Future.failedFuture(unavailable());
    }
    return AuditRecords.newest(link, keys.audit(), service, limit, ADMIN_TIMEOUT_MILLIS)
        .recover(
            cause -> Future.failedFuture(RedisLink.isErrorReply(cause) ? cause : unavailable()));
  }

  private static long version(Response value, String key) throws ConfigException {
    try {
      return value.toLong();
    } catch (NumberFormatException e) {
      throw new ConfigException("redis " + key + ": version: must be a number, was " + value);
    }
  }

  /** Redis answers, but with a state no replica may apply (written by hand, another program). */
  private StoreUnavailableException unreadable(String problem) {
    return new StoreUnavailableException(
        "the cluster's Redis holds a routing state this router cannot read ("
            + problem
            + "): nothing changed on any replica; routing keeps its last state (version "
            + current.version()
            + "); repair or delete the key "
            + keys.state()
            + " in Redis (the routers then seed it again)");
  }

  private StoreUnavailableException unavailable() {
    return new StoreUnavailableException(
        "the cluster's Redis is unreachable: nothing changed on any replica; "
            + "routing keeps its last state (version "
            + current.version()
            + "); retry when Redis is back");
  }

  private void tick() {
    if (closed || !link.up()) {
      return;
    }
    subscribe();
    checkVersion();
  }

  /** Cheap: one HGET; a full read only when the version moved. */
  private void checkVersion() {
    link.send(Request.cmd(Command.HGET).arg(keys.state()).arg("version"), ADMIN_TIMEOUT_MILLIS)
        .onSuccess(
            v -> {
              if (v == null || v.toLong() != current.version()) {
                resync();
              }
            });
  }

  /** Takes Redis's state; seeds an empty Redis with this replica's. */
  private Future<Void> resync() {
    long load = loads.incrementAndGet();
    return read()
        .compose(
            remote -> {
              if (remote == null) {
                return seed();
              }
              return adopt(remote, load).mapEmpty();
            })
        .onFailure(cause -> LOG.fine("cluster: resync failed: " + cause));
  }

  /**
   * The newest state a change builds on (null: Redis holds none); a Redis that is down or holds a
   * state no router can read fails it with the reason (503).
   */
  private Future<SharedState> readForChange() {
    if (!link.up()) {
      return Future.failedFuture(unavailable());
    }
    return read()
        .recover(
            cause ->
                Future.failedFuture(
                    cause instanceof StoreUnavailableException ? cause : unavailable()));
  }

  /** The state in Redis, or null when it holds none. */
  private Future<SharedState> read() {
    Request get = Request.cmd(Command.HMGET).arg(keys.state()).arg("version").arg("json");
    return link.send(get, ADMIN_TIMEOUT_MILLIS)
        .compose(
            r -> {
              if (r.get(0) == null || r.get(1) == null) {
                return Future.succeededFuture(null);
              }
              try {
                return Future.succeededFuture(
                    SharedState.decode(
                        version(r.get(0), keys.state()),
                        r.get(1).toString(),
                        "redis " + keys.state()));
              } catch (ConfigException e) {
                LOG.warning("cluster: ignoring an invalid shared state: " + e.getMessage());
                return Future.failedFuture(unreadable(e.getMessage()));
              }
            });
  }

  private Future<Void> seed() {
    SharedState mine = current;
    long version = Math.max(1, mine.version());
    List<String> args =
        List.of(
            Long.toString(version),
            mine.encode(),
            keys.channel(),
            Integer.toString(AUDIT_MAX_LENGTH),
            replica);
    return SEED.run(link, List.of(keys.state(), keys.audit()), args, ADMIN_TIMEOUT_MILLIS)
        .compose(
            r -> {
              if (r.toLong() == 1) {
                LOG.info(
                    "cluster: Redis held no routing state; seeded it with this router's (version "
                        + version
                        + ")");
              }
              return resync(); // another replica may have seeded first: take whichever Redis holds
            });
  }

  /**
   * Serves {@code state} from now on, unless it is what this replica serves already or the answer
   * of a load older than one already applied. Routing is rebuilt on a worker (endpoints may need
   * DNS).
   */
  private Future<Void> adopt(SharedState state, long load) {
    SharedState previous;
    synchronized (this) {
      if (load != Long.MAX_VALUE && load < appliedLoad) {
        return Future.succeededFuture();
      }
      // A write's own result is the newest: loads already in flight may answer with an older
      // version.
      appliedLoad = load != Long.MAX_VALUE ? load : loads.incrementAndGet();
      previous = current;
      if (state.version() == previous.version() && state.encode().equals(previous.encode())) {
        return Future.succeededFuture();
      }
      if (load != Long.MAX_VALUE
          && state.version() < previous.version()
          && previous.version() > 0) {
        LOG.warning(
            "cluster: Redis holds an older routing state (version "
                + state.version()
                + " < "
                + previous.version()
                + "; restored from an old snapshot?); taking it, as every replica does");
      }
      current = state;
    }
    RouterConfig file = fileConfig;
    return context
        .executeBlocking(
            () -> {
              routing.apply(RoutingChanges.effective(file, state.operator()));
              try {
                stateFile.save(localCopy(state), localAudit.lastSeq());
              } catch (java.io.IOException e) {
                LOG.warning(
                    "cluster: cannot keep the local copy of the shared state in "
                        + stateFile.path()
                        + ": "
                        + e);
              }
              return null;
            },
            true)
        .mapEmpty();
  }

  /**
   * What this replica keeps in its state file: the shared operator state with the shared rollout
   * states, so that a Redis that comes back empty is seeded again with the rollouts in progress.
   */
  private static OperatorState localCopy(SharedState state) {
    OperatorState operator = state.operator();
    return new OperatorState(operator.overrides(), operator.history(), state.rolloutsByService());
  }

  private void copyToLocalAudit(
      long version,
      String subject,
      String action,
      String service,
      JsonObject before,
      JsonObject after) {
    JsonObject record =
        new JsonObject()
            .put("time", java.time.Instant.now().toString())
            .put("subject", subject)
            .put("action", action)
            .put("service", service)
            .put("old", before)
            .put("new", after)
            .put("clusterVersion", version);
    context
        .executeBlocking(() -> localAudit.copy(record), true)
        .onFailure(
            e ->
                LOG.log(
                    Level.WARNING,
                    "cluster: change version "
                        + version
                        + " is in force and in the shared audit, "
                        + "but could not be appended to "
                        + localAudit.path(),
                    e));
  }

  private void subscribe() {
    synchronized (this) {
      if (subscriber != null || subscribing || closed) {
        return;
      }
      subscribing = true;
    }
    link.connect()
        .compose(
            conn -> {
              conn.handler(message -> checkVersion());
              conn.exceptionHandler(t -> dropSubscriber(conn));
              conn.endHandler(v -> dropSubscriber(conn));
              return conn.send(Request.cmd(Command.SUBSCRIBE).arg(keys.channel())).map(conn);
            })
        .onComplete(
            ar -> {
              synchronized (this) {
                subscribing = false;
                if (ar.succeeded()) {
                  subscriber = ar.result();
                }
              }
              if (ar.succeeded() && closed) {
                ar.result().close();
              }
            });
  }

  private synchronized void dropSubscriber(RedisConnection conn) {
    if (subscriber == conn) {
      subscriber = null;
    }
  }

  @Override
  public void close() {
    RedisConnection conn;
    synchronized (this) {
      closed = true;
      conn = subscriber;
      subscriber = null;
    }
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    if (conn != null) {
      conn.close();
    }
  }
}
