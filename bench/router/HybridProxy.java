// A third floor for the router benchmark: Vert.x 5's HttpServer (as the router uses it) with the upstream
// side on raw Netty, on the same event loop (HttpClientCodec + aggregator, one keep-alive pool per event
// loop). Between vertx-min (Vert.x server and client) and netty-min (no Vert.x) it shows what Vert.x's
// HttpClient alone costs. Run with the router jar on the class path:
//   java -cp router/target/router.jar bench/router/HybridProxy.java LISTEN_PORT BACKEND_PORT
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.buffer.BufferInternal;
import java.util.ArrayDeque;
import java.util.Map;

public class HybridProxy extends VerticleBase {
  private final int listen;
  private final int backend;
  private final ArrayDeque<Channel> idle = new ArrayDeque<>();
  private EventLoop loop;

  HybridProxy(int listen, int backend) {
    this.listen = listen;
    this.backend = backend;
  }

  public static void main(String[] args) {
    int listen = Integer.parseInt(args[0]);
    int backend = Integer.parseInt(args[1]);
    int loops = Runtime.getRuntime().availableProcessors();
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops).setPreferNativeTransport(true));
    vertx.deployVerticle(() -> new HybridProxy(listen, backend), new DeploymentOptions().setInstances(loops))
        .onSuccess(id -> System.out.println("hybrid proxy listening on http://127.0.0.1:" + listen));
  }

  @Override
  public Future<?> start() {
    loop = ((ContextInternal) context).nettyEventLoop();
    return vertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(false)
            .setPerFrameWebSocketCompressionSupported(false).setPerMessageWebSocketCompressionSupported(false)
            .setStrictThreadMode(true))
        .requestHandler(this::handle)
        .listen(listen, "127.0.0.1");
  }

  private void handle(HttpServerRequest in) {
    in.body().onSuccess(body -> {
      DefaultFullHttpRequest out = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1,
          HttpMethod.valueOf(in.method().name()), in.uri(), ((BufferInternal) body).getByteBuf());
      for (Map.Entry<String, String> h : in.headers()) {
        out.headers().add(h.getKey(), h.getValue());
      }
      out.headers().set(HttpHeaderNames.HOST, "127.0.0.1:" + backend);
      out.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length());
      Channel up = idle.pollFirst();
      if (up != null && up.isActive()) {
        send(up, out, in.response());
        return;
      }
      new Bootstrap().group(loop).channel(EpollSocketChannel.class).option(ChannelOption.TCP_NODELAY, true)
          .handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 20), new Back());
            }
          })
          .connect("127.0.0.1", backend).addListener((ChannelFutureListener) f -> {
            if (f.isSuccess()) {
              send(f.channel(), out, in.response());
            } else {
              in.response().setStatusCode(502).end();
            }
          });
    });
  }

  private void send(Channel up, DefaultFullHttpRequest out, HttpServerResponse response) {
    up.pipeline().get(Back.class).response = response;
    up.writeAndFlush(out);
  }

  private final class Back extends SimpleChannelInboundHandler<FullHttpResponse> {
    HttpServerResponse response;

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse resp) {
      HttpServerResponse r = response;
      response = null;
      idle.addLast(ctx.channel());
      r.setStatusCode(resp.status().code());
      for (Map.Entry<String, String> h : resp.headers()) {
        if (!h.getKey().equalsIgnoreCase("connection")) {
          r.headers().add(h.getKey(), h.getValue());
        }
      }
      r.end(BufferInternal.buffer(Unpooled.copiedBuffer(resp.content())));
    }
  }
}
