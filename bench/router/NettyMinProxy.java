// A second floor for the router benchmark: a minimal reverse proxy on raw Netty 4.2 (no Vert.x), with
// native epoll, one pool of keep-alive upstream connections per event loop, whole messages aggregated
// (HttpObjectAggregator) and headers copied. It shows what the JVM + Netty cost on this machine before
// any Vert.x layer. Run with the router jar (which bundles Netty) on the class path:
//   java -cp router/target/router.jar bench/router/NettyMinProxy.java LISTEN_PORT BACKEND_PORT
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.*;
import io.netty.channel.epoll.*;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.*;
import java.util.ArrayDeque;

public class NettyMinProxy {
  static int backend;
  public static void main(String[] a) throws Exception {
    int listen = Integer.parseInt(a[0]); backend = Integer.parseInt(a[1]);
    EventLoopGroup group = new EpollEventLoopGroup(Runtime.getRuntime().availableProcessors());
    new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
      .childOption(ChannelOption.TCP_NODELAY, true)
      .childHandler(new ChannelInitializer<SocketChannel>() {
        protected void initChannel(SocketChannel ch) {
          ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20), new Front());
        }
      }).bind("127.0.0.1", listen).sync();
    System.out.println("netty min proxy on " + listen);
  }
  /** Idle upstream connections of the current event loop (a request and its upstream share a thread). */
  static final IdlePool POOLS = new IdlePool();
  static final class IdlePool extends io.netty.util.concurrent.FastThreadLocal<ArrayDeque<Channel>> {
    protected ArrayDeque<Channel> initialValue() { return new ArrayDeque<>(); }
  }
  static final class Front extends SimpleChannelInboundHandler<FullHttpRequest> {
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      FullHttpRequest out = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, req.method(), req.uri(), req.content().retain());
      out.headers().set(req.headers()); out.headers().set(HttpHeaderNames.HOST, "127.0.0.1:" + backend);
      ArrayDeque<Channel> pool = POOLS.get();
      Channel up = pool.pollFirst();
      if (up != null && up.isActive()) { send(ctx, up, out, pool); return; }
      new Bootstrap().group(ctx.channel().eventLoop()).channel(EpollSocketChannel.class).option(ChannelOption.TCP_NODELAY, true)
        .handler(new ChannelInitializer<SocketChannel>() {
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 20), new Back());
          }
        }).connect("127.0.0.1", backend).addListener((ChannelFutureListener) f -> {
          if (f.isSuccess()) send(ctx, f.channel(), out, pool); else { out.release(); ctx.close(); }
        });
    }
    static void send(ChannelHandlerContext front, Channel up, FullHttpRequest out, ArrayDeque<Channel> pool) {
      Back back = up.pipeline().get(Back.class); back.front = front; back.pool = pool;
      up.writeAndFlush(out);
    }
  }
  static final class Back extends SimpleChannelInboundHandler<FullHttpResponse> {
    ChannelHandlerContext front; ArrayDeque<Channel> pool;
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse resp) {
      FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, resp.status(), resp.content().retain());
      r.headers().set(resp.headers());
      ChannelHandlerContext f = front; front = null;
      pool.addLast(ctx.channel());
      f.writeAndFlush(r);
    }
  }
}
