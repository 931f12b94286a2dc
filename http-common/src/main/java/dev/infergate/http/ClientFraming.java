package dev.infergate.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * Two rules of how an HTTP/1.x client may frame and end its requests, where Netty's and Vert.x's
 * defaults would fail the client with no answer or with a 5xx:
 *
 * <ul>
 *   <li><b>Half-close.</b> A client may close its sending side after its request and still read the
 *       answer (RFC 9112 §9.6; {@code nc -N}, one-shot scripts, some load balancers). Netty closes
 *       a channel at end of input, dropping the request in flight. Here half-closure is allowed,
 *       and the connection is closed once the last answer due is written, at once when none is due,
 *       and at once when the input ended in the middle of a request (it can never be complete). The
 *       cost: a client that closed the whole connection is seen as gone only when its answer is
 *       written.
 *   <li><b>HTTP version.</b> A request line with a version other than HTTP/1.0 or 1.1 ({@code
 *       HTTP/2.0}, {@code http/1.1}) is marked undecodable, so the listener's invalid-request
 *       handler answers it with a JSON 400, where Vert.x would answer an empty 501: a client's
 *       malformed request is not a server error.
 * </ul>
 *
 * <p>One instance per connection, on its event loop, between the HTTP codec and Vert.x's handler.
 */
public final class ClientFraming extends ChannelDuplexHandler {
  static final String NAME = "infergateClientFraming";

  /**
   * The decoder failure's message, which the listeners' invalid-request handlers pass on to the
   * client.
   */
  public static final String UNSUPPORTED_VERSION =
      "unsupported HTTP version: send HTTP/1.1 (or HTTP/1.0), in capitals";

  /**
   * Vert.x 5's own handler on a server connection; this one goes right before it, after the codec.
   */
  private static final String VERTX_HANDLER = "handler";

  /** Requests read whose last response byte has not been written. */
  private int unanswered;

  /** Between a request head and the end of its body. */
  private boolean readingBody;

  private boolean inputEnded;

  private ClientFraming() {}

  /**
   * Installs the rules on a new HTTP/1.x server connection; call from the server's connection
   * handler.
   */
  public static void install(HttpConnection connection) {
    ChannelPipeline pipeline = ((ConnectionBase) connection).channelHandlerContext().pipeline();
    if (pipeline.get(VERTX_HANDLER) == null || pipeline.get("httpDecoder") == null) {
      return; // HTTP/2, or a Vert.x whose pipeline differs: keep its defaults
    }
    ((ConnectionBase) connection)
        .channel()
        .config()
        .setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
    pipeline.addBefore(VERTX_HANDLER, NAME, new ClientFraming());
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (msg instanceof HttpRequest request) {
      unanswered++;
      readingBody = true;
      HttpVersion version = request.protocolVersion();
      if (version != HttpVersion.HTTP_1_1
          && version != HttpVersion.HTTP_1_0
          && request.decoderResult().isSuccess()) {
        request.setDecoderResult(
            DecoderResult.failure(new IllegalArgumentException(UNSUPPORTED_VERSION)));
      }
    }
    if (msg instanceof LastHttpContent) {
      readingBody = false;
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise)
      throws Exception {
    boolean informational =
        msg instanceof HttpResponse r && r.status().codeClass() == HttpStatusClass.INFORMATIONAL;
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
