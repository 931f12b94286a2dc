package dev.infergate.router.upstream.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.buffer.BufferInternal;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;

/**
 * One request to a model server and its response, on a connection of the {@link NettyTransport}
 * (the {@link UpstreamExchange} contract). The listener hears the response head (or a failure
 * before it) and, before {@code head} returns, either takes the body ({@link #handler}, {@link
 * #endHandler}, {@link #exceptionHandler}, with {@link #pause}/{@link #resume} for back-pressure),
 * {@link #discard}s it or {@link #reset}s the exchange: the body's first bytes are read only after
 * the head's callback, on the same thread. {@link #reset} abandons the exchange and closes its
 * connection. A connection goes back to the pool only after a complete, keep-alive response. Every
 * callback runs on the event loop, inside the verticle's Vert.x context.
 */
final class NettyExchange implements UpstreamExchange {
  private final NettyTransport.Pool pool;
  private final ContextInternal context;
  private final Listener listener;
  private final int connectTimeoutMillis;

  /** The request until it is written (it waits here for a connection). */
  private ByteBuf request;

  private final boolean headRequest;
  private Channel channel;
  private HttpResponse head;
  private boolean keepAlive;
  private boolean finished;
  private boolean discarding;
  private Handler<Buffer> chunkHandler;
  private Handler<Void> endHandler;
  private Handler<Throwable> exceptionHandler;

  NettyExchange(
      NettyTransport.Pool pool,
      ContextInternal context,
      Listener listener,
      ByteBuf request,
      boolean headRequest,
      int connectTimeoutMillis) {
    this.pool = pool;
    this.context = context;
    this.listener = listener;
    this.request = request;
    this.headRequest = headRequest;
    this.connectTimeoutMillis = connectTimeoutMillis;
  }

  int connectTimeoutMillis() {
    return connectTimeoutMillis;
  }

  /** Reset before it got a connection: a waiting exchange that must be skipped. */
  boolean abandoned() {
    return finished;
  }

  @Override
  public int statusCode() {
    return head.status().code();
  }

  @Override
  public String header(CharSequence name) {
    return head.headers().get(name);
  }

  @Override
  public Iterator<Map.Entry<CharSequence, CharSequence>> headers() {
    return head.headers().iteratorCharSequence();
  }

  @Override
  public void handler(Handler<Buffer> handler) {
    chunkHandler = handler;
  }

  @Override
  public void endHandler(Handler<Void> handler) {
    endHandler = handler;
  }

  @Override
  public void exceptionHandler(Handler<Throwable> handler) {
    exceptionHandler = handler;
  }

  @Override
  public void pause() {
    if (channel != null) {
      channel.config().setAutoRead(false);
    }
  }

  @Override
  public void resume() {
    if (channel != null && !finished) {
      channel.config().setAutoRead(true);
      channel.read();
    }
  }

  /** Reads the rest of the response and drops it, so the connection can be used again. */
  @Override
  public void discard() {
    discarding = true;
    resume();
  }

  /** Abandons the exchange: its connection is closed, nothing more is reported. */
  @Override
  public void reset() {
    if (finished) {
      return;
    }
    finished = true;
    releaseRequest();
    if (channel != null) {
      detach();
      channel.close();
    }
  }

  /** Writes the request on {@code connection}, which is now this exchange's. */
  void start(Channel connection) {
    if (finished) { // abandoned while it waited or connected: the connection serves the next one
      pool.release(connection);
      return;
    }
    channel = connection;
    ConnectionHandler handler = handler(channel);
    handler.exchange = this;
    handler.decoder.headRequest = headRequest;
    channel.config().setAutoRead(true);
    ByteBuf r = request;
    request = null;
    listener.connected(); // on the event loop already: no emit

    channel
        .writeAndFlush(r)
        .addListener(
            (ChannelFutureListener)
                f -> {
                  if (!f.isSuccess()) {
                    failed(f.cause());
                  }
                });
  }

  void connectFailed(Throwable cause) {
    if (!finished) {
      finished = true;
      releaseRequest();
      context.emit(cause, listener::failed);
    }
  }

  private void releaseRequest() {
    if (request != null) {
      request.release();
      request = null;
    }
  }

  private void onHead(HttpResponse response) {
    head = response;
    keepAlive = HttpUtil.isKeepAlive(response);
    context.emit(this, listener::head);
  }

  private void onContent(HttpContent content) {
    if (finished) {
      return;
    }
    if (content.content().isReadable() && !discarding) {
      // A copy in an unpooled buffer: the decoder's (pooled) content is released after this call.
      context.emit(BufferInternal.buffer(Unpooled.copiedBuffer(content.content())), chunkHandler);
    }
    if (content instanceof LastHttpContent) {
      onEnd();
    }
  }

  private void onEnd() {
    finished = true;
    Channel c = channel;
    detach();
    if (keepAlive) {
      pool.release(c);
    } else {
      c.close();
    }
    if (!discarding) {
      context.emit(null, endHandler);
    }
  }

  private void failed(Throwable cause) {
    if (finished) {
      return;
    }
    finished = true;
    Channel c = channel;
    detach();
    if (c != null) {
      c.close();
    }
    if (head == null) {
      context.emit(cause, listener::failed);
    } else if (!discarding && exceptionHandler != null) {
      context.emit(cause, exceptionHandler);
    }
  }

  private void detach() {
    if (channel != null) {
      ConnectionHandler h = handler(channel);
      if (h != null && h.exchange == this) {
        h.exchange = null;
      }
    }
  }

  /**
   * The connection's {@link ConnectionHandler} (null once the channel is closed and its pipeline
   * emptied).
   */
  static ConnectionHandler handler(Channel channel) {
    return channel.pipeline().last() instanceof ConnectionHandler h ? h : null;
  }

  /**
   * Netty's response decoder, told whether the response answers a HEAD request (no body whatever
   * its headers say). Requests are written as bytes ({@link RequestWriter}), so there is no encoder
   * beside it, and no {@code HttpClientCodec} to pair each response with its request's method.
   */
  static final class ResponseDecoder extends HttpResponseDecoder {
    boolean headRequest;

    @Override
    protected boolean isContentAlwaysEmpty(HttpMessage msg) {
      return (headRequest && ((HttpResponse) msg).status().code() >= 200)
          || super.isContentAlwaysEmpty(msg);
    }
  }

  /** The pipeline's last handler: routes what the connection reads to its current exchange. */
  static final class ConnectionHandler extends ChannelInboundHandlerAdapter {
    final ResponseDecoder decoder;
    NettyExchange exchange;

    /** When the connection went back to the pool (System.nanoTime); see {@link NettyTransport}. */
    long idleSinceNanos;

    private boolean informational;

    ConnectionHandler(ResponseDecoder decoder) {
      this.decoder = decoder;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        NettyExchange e = exchange;
        if (e == null) {
          ctx.close(); // bytes nobody asked for: the connection cannot be trusted
          return;
        }
        if (msg instanceof HttpResponse response) {
          informational =
              response.status().codeClass()
                  == io.netty.handler.codec.http.HttpStatusClass.INFORMATIONAL;
          if (!informational) {
            e.onHead(response);
          }
        }
        if (msg instanceof HttpContent content) {
          if (informational) {
            informational = !(content instanceof LastHttpContent);
          } else {
            e.onContent(content);
          }
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      NettyExchange e = exchange;
      if (e != null) {
        e.failed(
            new IOException("connection to the model server closed before the response ended"));
      }
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      NettyExchange e = exchange;
      if (e != null) {
        e.failed(cause);
      }
      ctx.close();
    }
  }
}
