package dev.infergate.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The slow-client and flood limits of one listener, shared by every {@code HttpServer} instance
 * bound to it (one per event loop): a cap on open connections, the idle timeout, and the {@link
 * ReadDeadlines}. Use {@link #options} on the server's options and {@link #accept} as its
 * connection handler.
 *
 * <p>HTTP/1.1 only (see {@link #options}). A connection over the cap is closed at once, before
 * anything is read from it: under a flood that is the cheapest answer, and a 503 would need the
 * request read first. TLS connections count from the end of their handshake, which Vert.x bounds by
 * its own handshake timeout.
 *
 * <p>Shared by the router's and the model server's listeners. Thread-safe.
 */
public final class ConnectionGuard {
  /** Metric names and help texts of the module; the tags are {@code listener} and {@code phase}. */
  public record Metrics(
      MeterRegistry registry,
      String open,
      String refused,
      String readTimeouts,
      Function<String, String> help) {}

  private final long headerMillis;
  private final long bodyMillis;
  private final int idleSeconds;
  private final int maxConnections;
  private final Supplier<String> requestIds;
  private final AtomicInteger open = new AtomicInteger();
  private final Counter refused;
  private final Map<ReadDeadlines.Phase, Counter> timeouts =
      new EnumMap<>(ReadDeadlines.Phase.class);

  /**
   * @param listener the {@code listener} tag
   * @param idleSeconds keep-alive connections idle this long are closed; 0 for never
   * @param requestIds see {@link ReadDeadlines#install}; null for 408s without a request id
   */
  public ConnectionGuard(
      String listener,
      long headerMillis,
      long bodyMillis,
      int idleSeconds,
      int maxConnections,
      Supplier<String> requestIds,
      Metrics metrics) {
    this.headerMillis = headerMillis;
    this.bodyMillis = bodyMillis;
    this.idleSeconds = idleSeconds;
    this.maxConnections = maxConnections;
    this.requestIds = requestIds;
    Gauge.builder(metrics.open(), open, AtomicInteger::get)
        .description(metrics.help().apply(metrics.open()))
        .tag("listener", listener)
        .register(metrics.registry());
    refused =
        Counter.builder(metrics.refused())
            .description(metrics.help().apply(metrics.refused()))
            .tag("listener", listener)
            .register(metrics.registry());
    for (ReadDeadlines.Phase phase : ReadDeadlines.Phase.values()) {
      timeouts.put(
          phase,
          Counter.builder(metrics.readTimeouts())
              .description(metrics.help().apply(metrics.readTimeouts()))
              .tags("listener", listener, "phase", phase.name().toLowerCase())
              .register(metrics.registry()));
    }
  }

  /** Sets the idle timeout on {@code options}, and HTTP/1.1 only; returns them. */
  public HttpServerOptions options(HttpServerOptions options) {
    return options
        .setIdleTimeout(idleSeconds)
        .setIdleTimeoutUnit(TimeUnit.SECONDS)
        // With h2c on, a new connection sits in Vert.x's HTTP/2-preface sniffer, out of reach of
        // the
        // connection handler (so of the cap and the read deadlines), until its first bytes decide.
        .setHttp2ClearTextEnabled(false);
  }

  /**
   * The connection handler: counts the connection, refuses it over the cap, else installs the read
   * deadlines and the {@link ClientFraming} rules (half-close, HTTP version).
   */
  public void accept(HttpConnection connection) {
    Channel channel = ((ConnectionBase) connection).channel();
    if (open.incrementAndGet() > maxConnections) {
      open.decrementAndGet();
      refused.increment();
      channel.close();
      return;
    }
    channel.closeFuture().addListener(closed -> open.decrementAndGet());
    ReadDeadlines.install(
        connection, headerMillis, bodyMillis, requestIds, phase -> timeouts.get(phase).increment());
    ClientFraming.install(connection);
  }

  /** Connections open now. */
  public int open() {
    return open.get();
  }
}
