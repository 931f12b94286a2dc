package dev.infergate.router.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateHandler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.impl.headers.HeadersMultiMap;
import io.vertx.core.internal.ContextInternal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The router's HTTP/1.1 client to the model servers, one per event loop, on raw Netty: connections
 * live on the same event loop as the requests they serve, idle keep-alive connections are pooled
 * per endpoint, and at most {@link #MAX_CONNECTIONS_PER_ENDPOINT} are open per endpoint (further
 * requests wait for one). Against Vert.x's HttpClient this is where nearly all of a Vert.x proxy's
 * cost over raw Netty went (bench/RESULTS.md, "hybrid"). Retries, timeouts and breakers stay in
 * {@link Forwarding}. Confined to its event loop.
 */
final class UpstreamClient {
  /** Connections per endpoint per event loop (in use, idle or connecting); beyond it requests wait. */
  static final int MAX_CONNECTIONS_PER_ENDPOINT = 256;

  private final ContextInternal context;
  private final EventLoop loop;
  private final ChannelFactory<? extends Channel> channels;
  private final int idleTimeoutSeconds;
  private final int maxConnectionsPerEndpoint;
  private final Map<String, Pool> pools = new HashMap<>();
  private boolean closed;

  /** @param context the event-loop context of the verticle whose requests this client serves */
  UpstreamClient(ContextInternal context, int idleTimeoutSeconds) {
    this(context, idleTimeoutSeconds, MAX_CONNECTIONS_PER_ENDPOINT);
  }

  UpstreamClient(ContextInternal context, int idleTimeoutSeconds, int maxConnectionsPerEndpoint) {
    this.maxConnectionsPerEndpoint = maxConnectionsPerEndpoint;
    this.context = context;
    this.loop = context.nettyEventLoop();
    // The transport Vert.x runs on (native epoll when available, else NIO), for sockets of the same kind.
    this.channels = context.owner().transport().channelFactory(false);
    this.idleTimeoutSeconds = idleTimeoutSeconds;
  }

  /**
   * Headers for a request to {@link #send}: Vert.x's map is also Netty's, so they are encoded without
   * a copy. Not validated again: they are the client's, already checked by the server's decoder, and
   * the router's own, made from those and from validated ids.
   */
  static HeadersMultiMap newHeaders() {
    return HeadersMultiMap.httpHeaders(ALREADY_VALID);
  }

  private static final java.util.function.BiConsumer<CharSequence, CharSequence> ALREADY_VALID = (name, value) -> { };

  /**
   * Sends one request on a pooled connection to {@code host:port}, or a new one. The exchange
   * reports the response head, body and end, or a failure: a {@link java.net.ConnectException} when
   * the connection could not be made (the request never reached the server).
   */
  UpstreamExchange send(String host, int port, io.vertx.core.http.HttpMethod method, String uri, HeadersMultiMap headers,
      Buffer body, int connectTimeoutMillis, UpstreamExchange.Listener listener) {
    Pool pool = pools.computeIfAbsent(host + ':' + port, key -> new Pool(key, host, port));
    headers.set(HttpHeaderNames.HOST, pool.key);
    if (body != null) {
      headers.set(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(body.length()));
    }
    // The body is copied per try: the write releases it, and a retry sends the same body again.
    FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method.name()), uri,
        body == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body.getBytes()), headers, EmptyHttpHeaders.INSTANCE);
    UpstreamExchange exchange = new UpstreamExchange(pool, context, listener, request, connectTimeoutMillis);
    pool.dispatch(exchange);
    return exchange;
  }

  /** Closes every idle connection; call on the event loop. Exchanges in flight finish on their own. */
  void close() {
    closed = true;
    List<Channel> idle = new ArrayList<>();
    pools.values().forEach(p -> idle.addAll(p.idle));
    idle.forEach(Channel::close);
  }

  /** One endpoint's connections on this event loop. */
  final class Pool {
    final String key;
    private final String host;
    private final int port;
    private final ArrayDeque<Channel> idle = new ArrayDeque<>();
    private final ArrayDeque<UpstreamExchange> waiting = new ArrayDeque<>();
    private int open;

    Pool(String key, String host, int port) {
      this.key = key;
      this.host = host;
      this.port = port;
    }

    void dispatch(UpstreamExchange exchange) {
      Channel pooled = takeIdle();
      if (pooled != null) {
        exchange.start(pooled);
      } else if (open < maxConnectionsPerEndpoint) {
        connect(exchange);
      } else {
        waiting.addLast(exchange);
      }
    }

    /** A connection whose exchange ended cleanly: the next waiting request gets it, else the pool. */
    void release(Channel channel) {
      if (closed || !channel.isActive()) {
        channel.close();
        return;
      }
      UpstreamExchange next = nextWaiting();
      if (next != null) {
        next.start(channel);
      } else {
        idle.addLast(channel);
      }
    }

    private Channel takeIdle() {
      while (!idle.isEmpty()) {
        Channel c = idle.pollLast(); // the most recently used: least likely to have been closed by the server
        if (c.isActive()) {
          return c;
        }
      }
      return null;
    }

    private UpstreamExchange nextWaiting() {
      UpstreamExchange next;
      while ((next = waiting.pollFirst()) != null) {
        if (!next.abandoned()) {
          return next;
        }
      }
      return null;
    }

    private void connect(UpstreamExchange exchange) {
      open++;
      new Bootstrap().group(loop)
          .channelFactory(channels)
          .option(ChannelOption.TCP_NODELAY, true)
          .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, exchange.connectTimeoutMillis())
          .handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
              ch.pipeline().addLast(new IdleStateHandler(0, 0, idleTimeoutSeconds, TimeUnit.SECONDS),
                  new HttpClientCodec(), new UpstreamExchange.ConnectionHandler());
            }
          })
          .connect(host, port)
          .addListener((ChannelFutureListener) f -> {
            Channel c = f.channel();
            c.closeFuture().addListener(closedFuture -> closed(c));
            if (f.isSuccess()) {
              exchange.start(c);
            } else {
              exchange.connectFailed(f.cause());
            }
          });
    }

    /** A connection went (closed by either side, or never made): a waiting request may open another. */
    private void closed(Channel channel) {
      open--;
      idle.remove(channel);
      if (!waiting.isEmpty() && !closed && open < maxConnectionsPerEndpoint) {
        UpstreamExchange next = nextWaiting();
        if (next != null) {
          connect(next);
        }
      }
    }
  }
}
