package dev.infergate.router.upstream.http;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.vertx.core.internal.ContextInternal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The router's HTTP/1.1 client to the model servers, one per event loop, on raw Netty: connections
 * live on the same event loop as the requests they serve, idle keep-alive connections are pooled
 * per endpoint, and at most {@link #MAX_CONNECTIONS_PER_ENDPOINT} are open per endpoint (further
 * requests wait for one). A connection idle in the pool for the idle timeout is closed by a sweep
 * of the pools rather than by an {@code IdleStateHandler}, which would stamp the time on every read
 * and write of every request. Against Vert.x's HttpClient this is where nearly all of a Vert.x
 * proxy's cost over raw Netty went (bench/RESULTS.md, "hybrid"). Retries, timeouts and breakers
 * stay with the caller. Confined to its event loop.
 */
final class NettyTransport implements UpstreamTransport {
  /**
   * Connections per endpoint per event loop (in use, idle or connecting); beyond it requests wait.
   */
  static final int MAX_CONNECTIONS_PER_ENDPOINT = 256;

  private final ContextInternal context;
  private final EventLoop loop;
  private final ChannelFactory<? extends Channel> channels;
  private final long idleTimeoutNanos;
  private final int maxConnectionsPerEndpoint;
  private final Map<String, Pool> pools = new HashMap<>();
  private final ScheduledFuture<?> idleSweep;
  private boolean closed;

  /**
   * @param context the event-loop context of the verticle whose requests this client serves
   * @param idleTimeoutMillis how long a connection may stay unused in the pool
   */
  NettyTransport(ContextInternal context, long idleTimeoutMillis) {
    this(context, idleTimeoutMillis, MAX_CONNECTIONS_PER_ENDPOINT);
  }

  NettyTransport(ContextInternal context, long idleTimeoutMillis, int maxConnectionsPerEndpoint) {
    this.maxConnectionsPerEndpoint = maxConnectionsPerEndpoint;
    this.context = context;
    this.loop = context.nettyEventLoop();
    // The transport Vert.x runs on (native epoll when available, else NIO), for sockets of the same
    // kind.
    this.channels = context.owner().transport().channelFactory(false);
    this.idleTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(idleTimeoutMillis);
    // Closes idle connections between one and 1.25 timeouts after their last use.
    long sweepMillis = Math.max(1, idleTimeoutMillis / 4);
    this.idleSweep =
        loop.scheduleAtFixedRate(this::closeIdle, sweepMillis, sweepMillis, TimeUnit.MILLISECONDS);
    // The allocator's first chunk initialises its JFR event classes, which can take seconds on a
    // busy
    // machine: at start-up, not inside the first request's deadline.
    ByteBufAllocator.DEFAULT.directBuffer(RequestWriter.COPIED_BODY_BYTES).release();
  }

  @Override
  public UpstreamExchange send(
      OutboundRequest request,
      String host,
      int port,
      String authority,
      String uri,
      int connectTimeoutMillis,
      UpstreamExchange.Listener listener) {
    ByteBuf bytes = RequestWriter.get().write(ByteBufAllocator.DEFAULT, request, uri, authority);
    return send(host, port, authority, bytes, request.isHead(), connectTimeoutMillis, listener);
  }

  /**
   * Sends one request on a pooled connection to {@code host:port}, or a new one. The exchange
   * reports the response head, body and end, or a failure: a {@link java.net.ConnectException} when
   * the connection could not be made (the request never reached the server).
   *
   * @param authority {@code host:port} (IPv6 hosts in brackets): the pool's key, passed in so that
   *     no key is built per request
   * @param request the whole request as bytes ({@link RequestWriter}); the exchange owns it
   * @param headRequest whether it is a HEAD request, whose response has no body whatever its
   *     headers say
   */
  NettyExchange send(
      String host,
      int port,
      String authority,
      ByteBuf request,
      boolean headRequest,
      int connectTimeoutMillis,
      UpstreamExchange.Listener listener) {
    Pool pool = pools.get(authority);
    if (pool == null) {
      pool = new Pool(authority, host, port);
      pools.put(authority, pool);
    }
    NettyExchange exchange =
        new NettyExchange(pool, context, listener, request, headRequest, connectTimeoutMillis);
    pool.dispatch(exchange);
    return exchange;
  }

  /**
   * Closes every idle connection; call on the event loop. Exchanges in flight finish on their own.
   */
  @Override
  public void close() {
    closed = true;
    idleSweep.cancel(false);
    List<Channel> idle = new ArrayList<>();
    pools.values().forEach(p -> idle.addAll(p.idle));
    idle.forEach(Channel::close);
  }

  private void closeIdle() {
    long now = System.nanoTime();
    for (Pool pool : pools.values()) {
      pool.closeIdleSince(now - idleTimeoutNanos);
    }
  }

  /** One endpoint's connections on this event loop. */
  final class Pool {
    final String key;
    private final String host;
    private final int port;
    private final ArrayDeque<Channel> idle = new ArrayDeque<>();
    private final ArrayDeque<NettyExchange> waiting = new ArrayDeque<>();
    private int open;

    Pool(String key, String host, int port) {
      this.key = key;
      this.host = host;
      this.port = port;
    }

    void dispatch(NettyExchange exchange) {
      Channel pooled = takeIdle();
      if (pooled != null) {
        exchange.start(pooled);
      } else if (open < maxConnectionsPerEndpoint) {
        connect(exchange);
      } else {
        waiting.addLast(exchange);
      }
    }

    /**
     * A connection whose exchange ended cleanly: the next waiting request gets it, else the pool.
     */
    void release(Channel channel) {
      if (closed || !channel.isActive()) {
        channel.close();
        return;
      }
      NettyExchange next = nextWaiting();
      if (next != null) {
        next.start(channel);
      } else {
        NettyExchange.ConnectionHandler handler = NettyExchange.handler(channel);
        if (handler == null) {
          channel.close();
          return;
        }
        handler.idleSinceNanos = System.nanoTime();
        idle.addLast(channel);
      }
    }

    /**
     * Closes the connections unused since before {@code limitNanos}: the oldest are at the head.
     */
    void closeIdleSince(long limitNanos) {
      Channel oldest;
      while ((oldest = idle.peekFirst()) != null) {
        NettyExchange.ConnectionHandler handler = NettyExchange.handler(oldest);
        if (handler != null && handler.idleSinceNanos - limitNanos >= 0) {
          return;
        }
        idle.pollFirst().close();
      }
    }

    private Channel takeIdle() {
      while (!idle.isEmpty()) {
        Channel c =
            idle.pollLast(); // the most recently used: least likely to have been closed by the
        // server
        if (c.isActive()) {
          return c;
        }
      }
      return null;
    }

    private NettyExchange nextWaiting() {
      NettyExchange next;
      while ((next = waiting.pollFirst()) != null) {
        if (!next.abandoned()) {
          return next;
        }
      }
      return null;
    }

    private void connect(NettyExchange exchange) {
      open++;
      new Bootstrap()
          .group(loop)
          .channelFactory(channels)
          .option(ChannelOption.TCP_NODELAY, true)
          .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, exchange.connectTimeoutMillis())
          .handler(
              new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                  NettyExchange.ResponseDecoder decoder = new NettyExchange.ResponseDecoder();
                  ch.pipeline().addLast(decoder, new NettyExchange.ConnectionHandler(decoder));
                }
              })
          .connect(host, port)
          .addListener(
              (ChannelFutureListener)
                  f -> {
                    Channel c = f.channel();
                    c.closeFuture().addListener(closedFuture -> closed(c));
                    if (f.isSuccess()) {
                      exchange.start(c);
                    } else {
                      exchange.connectFailed(f.cause());
                    }
                  });
    }

    /**
     * A connection went (closed by either side, or never made): a waiting request may open another.
     */
    private void closed(Channel channel) {
      open--;
      idle.remove(channel);
      if (!waiting.isEmpty() && !closed && open < maxConnectionsPerEndpoint) {
        NettyExchange next = nextWaiting();
        if (next != null) {
          connect(next);
        }
      }
    }
  }
}
