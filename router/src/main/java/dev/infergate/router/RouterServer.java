package dev.infergate.router;

import dev.infergate.http.ConnectionGuard;
import dev.infergate.router.admin.AdminServer;
import dev.infergate.router.admin.AuditLog;
import dev.infergate.router.admin.LocalChanges;
import dev.infergate.router.admin.OperatorChanges;
import dev.infergate.router.admin.RolloutControl;
import dev.infergate.router.admin.StateFile;
import dev.infergate.router.auth.Authenticator;
import dev.infergate.router.cluster.Cluster;
import dev.infergate.router.cluster.RolloutLeadership;
import dev.infergate.router.cluster.SharedRoutingStore;
import dev.infergate.router.config.ConfigException;
import dev.infergate.router.config.ConfigLoader;
import dev.infergate.router.config.ConfigWatcher;
import dev.infergate.router.config.LimitsConfig;
import dev.infergate.router.config.RouterConfig;
import dev.infergate.router.config.ShutdownConfig;
import dev.infergate.router.observability.AccessLog;
import dev.infergate.router.observability.MetricNames;
import dev.infergate.router.observability.RouterMetrics;
import dev.infergate.router.proxy.ProxyVerticle;
import dev.infergate.router.proxy.ShutdownSignal;
import dev.infergate.router.ratelimit.RateLimiting;
import dev.infergate.router.rollout.AgreementCounts;
import dev.infergate.router.rollout.AgreementSource;
import dev.infergate.router.rollout.RolloutDriver;
import dev.infergate.router.routing.RoutingState;
import dev.infergate.router.routing.ServiceRoute;
import dev.infergate.router.shadow.ShadowStats;
import dev.infergate.router.shadow.Shadowing;
import dev.infergate.router.upstream.Breakers;
import dev.infergate.router.upstream.EndpointRegistry;
import dev.infergate.router.upstream.HealthChecker;
import dev.infergate.telemetry.Logging;
import dev.infergate.telemetry.Tracing;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Logger;
import java.util.random.RandomGenerator;

/**
 * A running router: wires config, routing state, upstreams, the proxy verticles (one per event
 * loop), the admin listener and the config watcher. {@link #start} blocks until both listeners are
 * bound; {@link #close} shuts down gracefully (stops accepting, finishes requests in flight).
 */
public final class RouterServer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(RouterServer.class.getName());
  private static final long START_TIMEOUT_SECONDS = 30;
  private static final long ACCESS_LOG_FLUSH_MILLIS = 200;
  private static final long RATE_LIMIT_EVICT_MILLIS = 10_000;

  /** Operator changes are audit-logged here, beside the state file. */
  static final String AUDIT_FILE = "audit.jsonl";

  /** {@code -Dinfergate.nativeTransport=false} forces NIO (for comparisons). */
  static final String NATIVE_TRANSPORT_PROPERTY = "infergate.nativeTransport";

  /** {@code -Dinfergate.eventLoops=N} overrides the event-loop count (default: available cores). */
  static final String EVENT_LOOPS_PROPERTY = "infergate.eventLoops";

  private final Vertx vertx;
  private final RoutingState state;
  private final EndpointRegistry endpoints;
  private final AccessLog accessLog;
  private final ShutdownSignal shutdownSignal = new ShutdownSignal();
  private final ShutdownConfig shutdown;
  private Shadowing shadowing;
  private Tracing tracing = Tracing.OFF;
  private Authenticator authenticator;
  private final List<String> deployments = new ArrayList<>();
  private AdminServer admin;

  /** With {@code cluster}: this router's part of the fleet; else null. */
  private Cluster cluster;

  private RolloutDriver rollouts;
  private ConfigWatcher watcher;
  private int port;
  private int adminPort;
  private volatile boolean closed;

  private RouterServer(
      Vertx vertx,
      RoutingState state,
      EndpointRegistry endpoints,
      AccessLog accessLog,
      ShutdownConfig shutdown) {
    this.vertx = vertx;
    this.shutdown = shutdown;
    this.state = state;
    this.endpoints = endpoints;
    this.accessLog = accessLog;
  }

  /**
   * Loads the config, binds both listeners and starts watching the file.
   *
   * @param out where the "listening on" lines go
   * @throws ConfigException when the config is invalid (nothing is left running)
   */
  public static RouterServer start(ConfigLoader loader, PrintStream out) throws Exception {
    String text = loader.read();
    RouterConfig config = loader.parse(text);
    Logging.apply(config.logFormat());
    int loops =
        Integer.getInteger(EVENT_LOOPS_PROPERTY, Runtime.getRuntime().availableProcessors());
    Vertx vertx =
        Vertx.vertx(
            new VertxOptions()
                .setEventLoopPoolSize(loops)
                .setPreferNativeTransport(
                    Boolean.parseBoolean(System.getProperty(NATIVE_TRANSPORT_PROPERTY, "true"))));
    try {
      RouterServer server = wire(vertx, config, loader, text, loops);
      out.println(
          "infergate router listening on http://" + config.listen().host() + ":" + server.port);
      out.println("admin listening on http://" + config.admin().host() + ":" + server.adminPort);
      out.flush();
      return server;
    } catch (Exception | Error e) {
      vertx.close().await(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      throw e;
    }
  }

  private static RouterServer wire(
      Vertx vertx, RouterConfig config, ConfigLoader loader, String text, int loops)
      throws Exception {
    LOG.info(
        "transport: "
            + (vertx.isNativeTransportEnabled() ? "native epoll" : "NIO")
            + ", event loops: "
            + loops);
    RouterMetrics metrics = new RouterMetrics();
    RandomGenerator random = () -> ThreadLocalRandom.current().nextLong();
    HealthChecker health =
        new HealthChecker(
            vertx,
            vertx.createHttpClient(
                new HttpClientOptions().setKeepAlive(true).setName("infergate-health"),
                new PoolOptions().setHttp1MaxSize(2)));
    EndpointRegistry endpoints = new EndpointRegistry(new Breakers(), health, metrics);
    RoutingState state = new RoutingState(endpoints, metrics, random);
    Path stateFile = Path.of(config.stateFile());
    AuditLog auditLog = new AuditLog(stateFile.toAbsolutePath().resolveSibling(AUDIT_FILE));
    RolloutControl local = RolloutControl.start(state, config, new StateFile(stateFile), auditLog);
    Cluster cluster =
        config.cluster() == null
            ? null
            : Cluster.start(
                vertx,
                config,
                state,
                local.operatorState(),
                auditLog,
                new StateFile(stateFile),
                metrics);
    OperatorChanges control =
        cluster == null ? new LocalChanges(vertx, local, auditLog) : cluster.store();
    AccessLog accessLog =
        new AccessLog(new FileOutputStream(FileDescriptor.out), config.accessLog());
    RouterServer server = new RouterServer(vertx, state, endpoints, accessLog, config.shutdown());
    server.tracing = Tracing.start(config.tracing(), "infergate-router");
    server.shadowing =
        new Shadowing(
            metrics,
            random,
            name -> {
              ServiceRoute s = state.current().service(name);
              return s == null ? null : s.config().shadow();
            });
    server.cluster = cluster;
    if (accessLog.enabled()) {
      // One timer, ordered blocking calls: flushes never overlap and keep the lines in order.
      vertx.setPeriodic(
          ACCESS_LOG_FLUSH_MILLIS,
          id ->
              vertx.executeBlocking(
                  () -> {
                    accessLog.flush();
                    return null;
                  },
                  true));
    }
    if (config.auth() != null) {
      server.authenticator = Authenticator.create(vertx, config.auth());
      LOG.info(
          "auth: bearer JWTs from "
              + config.auth().jwks()
              + ", algorithms "
              + config.auth().algorithms());
    } else {
      LOG.warning("auth: OFF (no auth block): anyone who reaches the router may call it; dev only");
    }
    RateLimiting rateLimiting = new RateLimiting(config.rateLimits(), System::nanoTime);
    if (cluster != null) {
      rateLimiting.share(cluster.limiter());
    }
    vertx.setPeriodic(
        RATE_LIMIT_EVICT_MILLIS,
        id ->
            vertx.executeBlocking(
                () -> {
                  rateLimiting.evictIdle();
                  if (cluster != null) {
                    cluster.limiter().evictIdle();
                  }
                  return null;
                },
                false));

    // One instance per event loop, all on one listening socket. Vert.x shares a random port among
    // the instances of a deployment when asked for a negative port; port 0 would give each its own.
    int bindPort = config.listen().port() == 0 ? -1 : config.listen().port();
    LimitsConfig limits = config.limits();
    Supplier<String> requestIds =
        () -> String.format("%016x%016x", random.nextLong(), random.nextLong());
    ConnectionGuard.Metrics meters =
        new ConnectionGuard.Metrics(
            metrics.registry(),
            MetricNames.CONNECTIONS_OPEN,
            MetricNames.CONNECTIONS_REFUSED,
            MetricNames.READ_TIMEOUTS,
            MetricNames::help);
    ConnectionGuard proxyGuard =
        new ConnectionGuard(
            "proxy",
            limits.headerTimeoutMillis(),
            limits.bodyTimeoutMillis(),
            limits.idleTimeoutSeconds(),
            limits.maxConnections(),
            requestIds,
            meters);
    ConnectionGuard adminGuard =
        new ConnectionGuard(
            "admin",
            limits.headerTimeoutMillis(),
            limits.bodyTimeoutMillis(),
            limits.idleTimeoutSeconds(),
            limits.adminMaxConnections(),
            requestIds,
            meters);
    server.port =
        server.deployProxies(config, bindPort, loops, rateLimiting, metrics, random, proxyGuard);
    // Monotonic milliseconds: a wall-clock step must not cut a rollout's hold short.
    Shadowing shadowing = server.shadowing;
    // A rollout judges agreement (and warm-up the copies' p99) only when the service's shadow
    // copies go to its candidate.
    AgreementSource agreement =
        (service, track) -> {
          ShadowStats s = shadowing.stats(service);
          return track.equals(s.shadowTrack())
              ? Optional.of(
                  new AgreementCounts(s.compared(), s.agreed(), shadowing.tries(service, track)))
              : Optional.empty();
        };
    // Transitions go where the routing state lives: this router's state file, or with cluster the
    // shared
    // state in Redis, driven by the replica holding the service's lease.
    server.rollouts =
        RolloutDriver.restore(
            cluster == null ? local : cluster.store(),
            state,
            metrics,
            agreement,
            server.rolloutLeadership(),
            () -> System.nanoTime() / 1_000_000L);
    server.admin =
        new AdminServer(
                vertx, state, endpoints, metrics, control, server.authenticator, server.shadowing)
            .rollouts(server.rollouts);
    server
        .admin
        .listen(config.admin().host(), config.admin().port(), adminGuard)
        .await(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    server.adminPort = server.admin.actualPort();
    if (server.rollouts != null) {
      server.rollouts.start(vertx);
    }

    server.watcher =
        new ConfigWatcher(
            vertx,
            loader,
            text,
            new ConfigWatcher.Listener() {
              @Override
              public RouterConfig effective(RouterConfig parsed) throws ConfigException {
                warnRestartOnly(config, parsed);
                return parsed.reloadedOver(config);
              }

              @Override
              public void apply(RouterConfig next) {
                control.fileChanged(next);
                rateLimiting.configure(next.rateLimits());
                metrics.configReload(true);
              }

              @Override
              public void rejected(String reason) {
                metrics.configReload(false);
              }
            });
    server.watcher.start(config.watchIntervalMillis());
    return server;
  }

  private int deployProxies(
      RouterConfig config,
      int bindPort,
      int instances,
      RateLimiting rateLimiting,
      RouterMetrics metrics,
      RandomGenerator random,
      ConnectionGuard guard)
      throws Exception {
    List<ProxyVerticle> created = new ArrayList<>();
    String id =
        vertx
            .deployVerticle(
                () -> {
                  ProxyVerticle v =
                      new ProxyVerticle(
                              config.listen().host(),
                              bindPort,
                              state::current,
                              authenticator,
                              rateLimiting,
                              config.tls(),
                              accessLog,
                              metrics,
                              random,
                              shutdownSignal,
                              shutdown.drainMillis(),
                              guard,
                              config.upstream().transport(),
                              shadowing)
                          .tracing(tracing);
                  synchronized (created) {
                    created.add(v);
                  }
                  return v;
                },
                new DeploymentOptions().setInstances(instances))
            .await(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    deployments.add(id);
    synchronized (created) {
      return created.get(0).actualPort();
    }
  }

  private static void warnRestartOnly(RouterConfig old, RouterConfig next) {
    if (!Objects.equals(old.listen(), next.listen())
        || !Objects.equals(old.admin(), next.admin())
        || old.accessLog() != next.accessLog()
        || old.watchIntervalMillis() != next.watchIntervalMillis()
        || !Objects.equals(old.auth(), next.auth())
        || !Objects.equals(old.tls(), next.tls())
        || !Objects.equals(old.stateFile(), next.stateFile())
        || !Objects.equals(old.shutdown(), next.shutdown())
        || !Objects.equals(old.limits(), next.limits())
        || !Objects.equals(old.cluster(), next.cluster())) {
      LOG.warning(
          "listen, admin, accessLog, watchIntervalMillis, auth, tls, stateFile, shutdown, limits and cluster "
              + "changes take effect at the next restart");
    }
  }

  public int port() {
    return port;
  }

  public int adminPort() {
    return adminPort;
  }

  public RoutingState state() {
    return state;
  }

  /**
   * Shadow traffic's counts by service ({@link Shadowing#stats}), e.g. for a rollout's analysis.
   */
  public Shadowing shadowing() {
    return shadowing;
  }

  /**
   * Who drives each service's automated rollout: with {@code cluster}, the replica holding the
   * service's lease in Redis; alone, this router.
   */
  public RolloutLeadership rolloutLeadership() {
    return cluster == null ? RolloutLeadership.SOLE : cluster.leadership();
  }

  /**
   * With {@code cluster}, the routing state every replica shares (rollout state goes there too);
   * else null.
   */
  public SharedRoutingStore sharedState() {
    return cluster == null ? null : cluster.store();
  }

  /**
   * Shuts down gracefully: readiness turns false and answers close their connections while requests
   * are still served for {@code shutdown.preStopDelayMillis}; then the listener stops accepting,
   * and requests in flight get {@code shutdown.drainMillis}; then everything stops. Blocks;
   * idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    shutdownSignal.begin();
    if (shutdown.preStopDelayMillis() > 0) {
      LOG.info(
          "shutting down: not ready; serving for " + shutdown.preStopDelayMillis() + " ms more");
      try {
        Thread.sleep(
            shutdown.preStopDelayMillis()); // the delay itself: clients move away meanwhile
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    long grace = shutdown.drainMillis() + 5_000;
    try {
      watcher.stop();
      if (rollouts != null) {
        rollouts.close();
      }
      List<Future<Void>> stops = new ArrayList<>();
      for (String id : deployments) {
        stops.add(vertx.undeploy(id));
      }
      stops.add(admin.close());
      Future.join(stops).await(grace, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      LOG.warning("graceful shutdown incomplete: " + e);
    } finally {
      if (cluster != null) {
        cluster.close();
      }
      endpoints.close();
      tracing.close(); // flushes the spans of the last requests
      if (authenticator != null) {
        authenticator.close();
      }
      accessLog.flush();
      try {
        vertx.close().await(grace, TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        LOG.warning("vert.x did not close cleanly: " + e);
      }
    }
  }
}
