package dev.infergate.router.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * Answers clients that half-close their connection after sending a request (RFC 9112 §9.6: a client
 * may close its sending side and still read the response; {@code nc -N}, one-shot scripts and some
 * load balancers do). By default Netty closes a channel at end of input, which drops a request the
 * router is still working on. With half-closure allowed, this handler closes the connection once the
 * last response due is written, at once when none is due, and at once when the input ended in the
 * middle of a request (that request can never be complete).
 *
 * <p>The cost: a client that closed the whole connection is seen as gone only when its answer is
 * written, not when it left. One instance per connection, on its event loop.
 */
public final class HalfCloseHandler extends ChannelDuplexHandler {
  static final String NAME = "infergate-half-close";
  /** Vert.x 5's own handler on a server connection; ours goes right before it, after the HTTP codec. */
  private static final String VERTX_HANDLER = "handler";

  /** Requests read whose last response byte has not been written. */
  private int unanswered;
  /** Between a request head and the end of its body. */
  private boolean readingBody;
  private boolean inputEnded;

  private HalfCloseHandler() {}

  /** Installs the handler on a new server connection; call from the server's connection handler. */
  public static void install(HttpConnection connection) {
    if (!(connection instanceof ConnectionBase base)) {
      return; // HTTP/2 or a future Vert.x: keep the default (close at end of input)
    }
    ChannelPipeline pipeline = base.channelHandlerContext().pipeline();
    if (pipeline.get(VERTX_HANDLER) == null) {
      return;
    }
    base.channel().config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
    pipeline.addBefore(VERTX_HANDLER, NAME, new HalfCloseHandler());
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (msg instanceof HttpRequest) {
      unanswered++;
      readingBody = true;
    }
    if (msg instanceof LastHttpContent) {
      readingBody = false;
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
    boolean informational = msg instanceof HttpResponse r && r.status().codeClass() == HttpStatusClass.INFORMATIONAL;
    if (msg instanceof LastHttpContent && !informational && --unanswered <= 0 && inputEnded) {
      ctx.write(msg, promise).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    ctx.write(msg, promise);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof ChannelInputShutdownEvent) {
      inputEnded = true;
      if (unanswered <= 0 || readingBody) {
        ctx.close();
      }
      return;
    }
    if (evt instanceof ChannelInputShutdownReadComplete) {
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }
}
