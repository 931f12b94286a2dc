package dev.infergate.modelserver;

import dev.infergate.http.ConnectionGuard;
import dev.infergate.modelserver.batching.ScheduledBatchTimer;
import dev.infergate.modelserver.config.LimitsConfig;
import dev.infergate.modelserver.config.ModelServerConfig;
import dev.infergate.modelserver.http.AdminServer;
import dev.infergate.modelserver.http.Errors;
import dev.infergate.modelserver.http.HttpApi;
import dev.infergate.modelserver.http.Lifecycle;
import dev.infergate.modelserver.observability.ConnectionMetrics;
import dev.infergate.modelserver.observability.PrometheusRegistries;
import dev.infergate.modelserver.repository.ModelRepository;
import dev.infergate.modelserver.runtime.ModelLoadException;
import dev.infergate.modelserver.runtime.SessionFactory;
import dev.infergate.telemetry.Logging;
import dev.infergate.telemetry.Tracing;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * A running model server: loads and warms every model, then listens. Blocking start and stop; call
 * them from a plain thread (main, a test), never from an event loop.
 */
public final class ModelServer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ModelServer.class.getName());

  private final ModelServerConfig config;
  private final PrometheusMeterRegistry registry = PrometheusRegistries.create();
  private final Lifecycle lifecycle = new Lifecycle();
  private final ExecutorService inferenceWorkers;
  private final ScheduledBatchTimer batchTimer = new ScheduledBatchTimer();
  private final Vertx vertx;
  private final ModelRepository repository;
  private final Tracing tracing;

  /**
   * The public listener's servers, one per event loop: shutdown stops them accepting before Vert.x
   * closes.
   */
  private final List<HttpServer> publicServers = new CopyOnWriteArrayList<>();

  private volatile int port;
  private volatile int adminPort;

  private ModelServer(ModelServerConfig config) {
    this.config = config;
    this.tracing = Tracing.start(config.tracing(), "infergate-model-server");
    AtomicInteger threads = new AtomicInteger();
    this.inferenceWorkers =
        Executors.newFixedThreadPool(
            config.inferenceThreads(),
            runnable -> {
              Thread thread = new Thread(runnable, "inference-" + threads.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    this.vertx =
        Vertx.builder()
            .with(
                new VertxOptions()
                    .setMetricsOptions(
                        new MicrometerMetricsOptions()
                            .setEnabled(true)
                            .setJvmMetricsEnabled(true)
                            // Two listeners (inference, admin): tagged by local address, their HTTP
                            // meters stay apart
                            // instead of the second's being dropped as a duplicate registration.
                            .addLabels(Label.LOCAL)))
            .withMetrics(new MicrometerMetricsFactory(registry))
            .build();
    this.repository =
        new ModelRepository(
            config.modelsDir(),
            config.modelDefaults(),
            new SessionFactory(config.device(), config.intraOpThreads()),
            registry,
            inferenceWorkers,
            batchTimer);
  }

  /**
   * Loads all models, then listens; fails (and frees everything) if the port is unusable, the
   * repository is empty, or (with {@code strict}) a model does not load. Without {@code strict} a
   * model that does not load is listed UNAVAILABLE and the others serve.
   */
  public static ModelServer start(ModelServerConfig config) throws ModelLoadException {
    Logging.apply(config.logFormat());
    ModelServer server = new ModelServer(config);
    try {
      server.repository.loadAll(config.strict());
      server.listenAdmin();
      server.listen();
      System.out.println(
          "admin listening on http://" + config.admin().host() + ":" + server.adminPort);
      System.out.flush();
      return server;
    } catch (ModelLoadException | RuntimeException e) {
      server.close();
      throw e;
    }
  }

  private void listen() {
    int instances = Math.max(1, Runtime.getRuntime().availableProcessors());
    ConnectionGuard guard = guard("inference");
    HttpServerOptions options = serverOptions(guard).setHost(config.host()).setPort(config.port());
    AtomicInteger boundPort = new AtomicInteger();
    // One server per event loop so every core parses requests; Vert.x shares the port between them.
    // With port 0 the first binds a random port and the rest reuse it.
    Future<String> deployed =
        vertx.deployVerticle(
            () ->
                new VerticleBase() {
                  @Override
                  public Future<?> start() {
                    int wanted = boundPort.get() != 0 ? boundPort.get() : config.port();
                    return vertx
                        .createHttpServer(new HttpServerOptions(options).setPort(wanted))
                        .connectionHandler(guard::accept)
                        .invalidRequestHandler(Errors::invalidRequest)
                        .requestHandler(
                            HttpApi.create(
                                vertx, repository, lifecycle, config.maxBodyBytes(), tracing))
                        .listen()
                        .onSuccess(
                            server -> {
                              boundPort.compareAndSet(0, server.actualPort());
                              publicServers.add(server);
                            });
                  }
                },
            new DeploymentOptions().setInstances(config.port() == 0 ? 1 : instances));
    try {
      deployed.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(
          "cannot listen on "
              + config.host()
              + ":"
              + config.port()
              + ": "
              + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()),
          e);
    }
    port = boundPort.get();
    System.out.println("infergate model-server listening on http://" + config.host() + ":" + port);
    System.out.flush();
  }

  /** The repository API and /metrics, on their own listener (loopback by default). */
  private void listenAdmin() {
    try {
      adminPort =
          AdminServer.listen(vertx, config.admin(), repository, registry, guard("admin"))
              .toCompletionStage()
              .toCompletableFuture()
              .get(30, TimeUnit.SECONDS)
              .actualPort();
    } catch (Exception e) {
      throw new IllegalStateException(
          "cannot listen on "
              + config.admin().host()
              + ":"
              + config.admin().port()
              + " (admin): "
              + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()),
          e);
    }
  }

  /**
   * One listener's idle timeout, read deadlines and connection cap, shared by its per-event-loop
   * servers.
   */
  private ConnectionGuard guard(String listener) {
    LimitsConfig limits = config.limits();
    return new ConnectionGuard(
        listener,
        limits.headerTimeoutMillis(),
        limits.bodyTimeoutMillis(),
        limits.idleTimeoutSeconds(),
        limits.maxConnections(),
        null,
        new ConnectionGuard.Metrics(
            registry,
            ConnectionMetrics.OPEN,
            ConnectionMetrics.REFUSED,
            ConnectionMetrics.READ_TIMEOUTS,
            ConnectionMetrics::help));
  }

  private static HttpServerOptions serverOptions(ConnectionGuard guard) {
    return guard
        .options(new HttpServerOptions())
        .setTcpNoDelay(true)
        .setCompressionSupported(false)
        // No WebSocket endpoints: without compression handshakers Vert.x leaves the WebSocket
        // extension handler, which inspects every request and response, out of the pipeline.
        .setPerFrameWebSocketCompressionSupported(false)
        .setPerMessageWebSocketCompressionSupported(false);
  }

  public int port() {
    return port;
  }

  /** The admin listener's bound port (the configured one, or the random one for port 0). */
  public int adminPort() {
    return adminPort;
  }

  public Lifecycle lifecycle() {
    return lifecycle;
  }

  public ModelRepository repository() {
    return repository;
  }

  /**
   * SIGTERM: readiness goes false at once, but the server keeps serving for the pre-stop delay, so
   * that requests already sent (on keep-alive connections, by routers that have not yet seen the
   * readiness change) are answered, not reset. Then the public listener stops accepting, in-flight
   * requests finish (up to the drain timeout), and everything closes. Blocking, as {@link
   * #close()}.
   */
  public void drainAndClose() {
    lifecycle.startDraining();
    LOG.info(
        "shutting down: readiness is now false; serving for "
            + config.preStopDelayMillis()
            + " ms more before the listener stops accepting");
    try {
      Thread.sleep(config.preStopDelayMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    LOG.info(
        "draining: no new connections; waiting for "
            + lifecycle.inFlight()
            + " in-flight requests");
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.drainTimeoutMillis());
    // Graceful: idle connections close now, busy ones once their response is written.
    Future<?> stopped =
        Future.join(
            publicServers.stream()
                .map(server -> server.shutdown(config.drainTimeoutMillis(), TimeUnit.MILLISECONDS))
                .toList());
    try {
      stopped
          .toCompletionStage()
          .toCompletableFuture()
          .get(config.drainTimeoutMillis() + 1_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.info("the listener did not stop cleanly: " + e);
    }
    while (lifecycle.inFlight() > 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    close();
  }

  @Override
  public void close() {
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warning("Vert.x did not close cleanly: " + e.getMessage());
    }
    repository.loadedModels().forEach(model -> repository.unload(model.name()));
    inferenceWorkers.shutdown();
    batchTimer.close();
    tracing.close(); // flushes the last requests' spans
  }
}
