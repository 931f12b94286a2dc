package dev.infergate.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Read deadlines of one HTTP/1.x server connection, which Vert.x has no option for (its idle
 * timeouts restart on every byte, so a client sending a header byte every few seconds holds a
 * connection for ever): a request head must be complete within {@code headerMillis} of its first
 * byte, and a request body must not stall (no byte) for {@code bodyMillis}. A client that misses
 * either gets {@code 408} with a JSON error and {@code connection: close}; its further bytes are
 * read and dropped for a moment (as {@link #LINGER_MILLIS}), so that the kernel does not reset the
 * connection and destroy the answer, then the connection is closed.
 *
 * <p>A request body that cannot be decoded (a malformed chunk) is answered {@code 400} the same
 * way, where Vert.x would close the connection without an answer. After a request that ends the
 * connection ({@code Connection: close}, or HTTP/1.0 without keep-alive) whatever else the client
 * sends is dropped unparsed (RFC 9112 §9.6: no further request is processed), so bytes after a
 * short Content-Length cannot turn into a second request, or into an error that closes the
 * connection before the answer.
 *
 * <p>Two Netty handlers share this state: one before Vert.x's HTTP decoder (after the TLS handler,
 * so it sees decrypted bytes) notes that a head has begun; one after the codec sees the decoded
 * head and body chunks and the responses written. No timer runs while a keep-alive connection waits
 * between requests (the idle timeout covers that) or once a request's body is complete, however
 * long its answer takes. At most one timer per connection, moved only when it fires (not per byte
 * or per request), so a busy keep-alive connection schedules about one per deadline period.
 * Confined to the connection's event loop.
 */
public final class ReadDeadlines {
  /**
   * How long the bytes a client goes on sending after its 408 are read and dropped before closing.
   */
  static final long LINGER_MILLIS = 1000;

  private static final AttributeKey<Refusal> REFUSED =
      AttributeKey.valueOf("infergate.connectionRefused");
  private static final String BYTES_HANDLER = "infergateReadStart";
  private static final String MESSAGES_HANDLER = "infergateReadDeadlines";

  /** Which deadline a client missed. */
  public enum Phase {
    HEADER,
    BODY
  }

  /** Why this class answered and closed a connection: the status it wrote and the reason. */
  public record Refusal(int status, String reason) {}

  private final long headerNanos;
  private final long bodyNanos;
  private final Supplier<String> requestIds;
  private final Consumer<Phase> onExpired;
  private ChannelHandlerContext ctx;
  private ScheduledFuture<?> timer;
  private long timerDue;

  /** When the first byte of a head that is not decoded yet arrived; 0 when none is pending. */
  private long headStart;

  private boolean inBody;

  /** The client sent {@code Expect: 100-continue} and may wait for the 100 before its body. */
  private boolean awaitingContinue;

  private long lastBodyRead;
  private long requestsReceived;
  private long responsesStarted;
  private long responsesEnded;
  private String clientRequestId;
  private String registeredRequestId;
  private boolean expired;

  /** The request being read asked for the connection to end after it. */
  private boolean lastRequest;

  /** That request is read: further bytes are dropped. */
  private boolean discarding;

  private ReadDeadlines(
      long headerMillis, long bodyMillis, Supplier<String> requestIds, Consumer<Phase> onExpired) {
    this.headerNanos = TimeUnit.MILLISECONDS.toNanos(headerMillis);
    this.bodyNanos = TimeUnit.MILLISECONDS.toNanos(bodyMillis);
    this.requestIds = requestIds;
    this.onExpired = onExpired;
  }

  /**
   * Installs the deadlines on a Vert.x HTTP/1.x server connection; call from {@code
   * HttpServer.connectionHandler}. Other connections (HTTP/2) are left as they are.
   *
   * @param requestIds when not null, the 408 body and headers carry a {@code requestId} (the one
   *     {@link #requestId} registered for a body, else the client's, else a new one from here)
   * @param onExpired told of each missed deadline (a metric), on the event loop
   */
  public static void install(
      HttpConnection connection,
      long headerMillis,
      long bodyMillis,
      Supplier<String> requestIds,
      Consumer<Phase> onExpired) {
    ChannelPipeline pipeline = ((ConnectionBase) connection).channelHandlerContext().pipeline();
    if (pipeline.get("httpDecoder") == null || pipeline.get("httpEncoder") == null) {
      return;
    }
    ReadDeadlines deadlines = new ReadDeadlines(headerMillis, bodyMillis, requestIds, onExpired);
    pipeline.addBefore("httpDecoder", BYTES_HANDLER, deadlines.new Bytes());
    pipeline.addAfter("httpEncoder", MESSAGES_HANDLER, deadlines.new Messages());
  }

  /**
   * Set when a missed deadline (408) or an undecodable body (400) closed this connection: the
   * request then fails as closed, and is logged as what the client got. Null otherwise.
   */
  public static Refusal refusal(HttpConnection connection) {
    return ((ConnectionBase) connection).channel().attr(REFUSED).get();
  }

  /**
   * The request id a 408 on this connection should carry (the request whose body is being read).
   */
  public static void requestId(HttpConnection connection, String id) {
    ChannelPipeline pipeline = ((ConnectionBase) connection).channelHandlerContext().pipeline();
    if (pipeline.get(MESSAGES_HANDLER) instanceof Messages messages) {
      messages.owner().registeredRequestId = id;
    }
  }

  /** Sees raw (decrypted) bytes before the HTTP decoder. */
  private final class Bytes extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext bytesCtx, Object msg) {
      if (expired || discarding) {
        ReferenceCountUtil.release(
            msg); // lingering, or after the last request: drop what the client still sends
        return;
      }
      if (msg instanceof ByteBuf buf && buf.isReadable()) {
        long now = System.nanoTime();
        if (inBody) {
          lastBodyRead = now;
          awaitingContinue = false;
        } else if (headStart == 0) {
          // Bytes of a pipelined head that arrive in the same read as the end of the body before it
          // start no deadline until the client's next read; the idle timeout still bounds that
          // connection.
          headStart = now;
          arm(now + headerNanos);
        }
      }
      bytesCtx.fireChannelRead(msg);
    }
  }

  /** Sees decoded requests and the responses written, after the HTTP codec. */
  private final class Messages extends ChannelDuplexHandler {
    ReadDeadlines owner() {
      return ReadDeadlines.this;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext messagesCtx) {
      ctx = messagesCtx;
    }

    @Override
    public void channelRead(ChannelHandlerContext messagesCtx, Object msg) {
      if (discarding) { // decoded from bytes that came in the same read as the end of the last
        // request
        ReferenceCountUtil.release(msg);
        return;
      }
      if (msg instanceof HttpRequest request) {
        lastRequest = !HttpUtil.isKeepAlive(request);
        headStart = 0;
        requestsReceived++;
        clientRequestId = request.headers().get("x-request-id");
        registeredRequestId = null;
        inBody = true;
        awaitingContinue =
            request.headers().contains(HttpHeaderNames.EXPECT, HttpHeaderValues.CONTINUE, true);
        lastBodyRead = System.nanoTime();
        arm(lastBodyRead + bodyNanos);
      }
      if (msg instanceof HttpContent content && content.decoderResult().isFailure()) {
        ReferenceCountUtil.release(msg);
        cancelTimer();
        refuse(
            HttpResponseStatus.BAD_REQUEST,
            "malformed request body: " + describe(content.decoderResult().cause()),
            Phase.BODY);
        return;
      }
      if (msg instanceof LastHttpContent) {
        inBody = false;
        discarding = lastRequest;
      }
      messagesCtx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext messagesCtx, Object msg, ChannelPromise promise) {
      if (expired) {
        ReferenceCountUtil.release(msg);
        promise.tryFailure(new ClosedChannelException());
        return;
      }
      if (informational(msg)) {
        // The body a client held back for its 100 Continue starts now.
        awaitingContinue = false;
        lastBodyRead = System.nanoTime();
      } else {
        if (msg instanceof HttpResponse) {
          responsesStarted++;
        }
        if (msg instanceof LastHttpContent) {
          responsesEnded++;
        }
      }
      messagesCtx.write(msg, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext messagesCtx) {
      cancelTimer();
      messagesCtx.fireChannelInactive();
    }
  }

  /** Makes sure the timer fires no later than {@code due}. */
  private void arm(long due) {
    if (timer != null && timerDue <= due) {
      return;
    }
    cancelTimer();
    timerDue = due;
    timer =
        ctx.executor()
            .schedule(this::fired, Math.max(0, due - System.nanoTime()), TimeUnit.NANOSECONDS);
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private void fired() {
    timer = null;
    if (expired || !ctx.channel().isActive()) {
      return;
    }
    long now = System.nanoTime();
    if (inBody) {
      long due = lastBodyRead + bodyNanos;
      if (now - due >= 0 && ctx.channel().config().isAutoRead() && !awaitingContinue) {
        expire(Phase.BODY, "request body stalled: no data for " + seconds(bodyNanos));
      } else {
        // Not read for a while because the server paused reading (back-pressure), or has not sent
        // the
        // 100 Continue the client waits for: not the client's fault.
        arm(now - due >= 0 ? now + bodyNanos : due);
      }
    } else if (headStart != 0) {
      long due = headStart + headerNanos;
      if (now - due >= 0) {
        expire(Phase.HEADER, "request headers not received within " + seconds(headerNanos));
      } else {
        arm(due);
      }
    }
  }

  private void expire(Phase phase, String reason) {
    onExpired.accept(phase);
    refuse(HttpResponseStatus.REQUEST_TIMEOUT, reason, phase);
  }

  /**
   * Answers {@code status} (unless a response is under way), drops what else the client sends,
   * closes.
   */
  private void refuse(HttpResponseStatus status, String reason, Phase phase) {
    expired = true;
    Channel channel = ctx.channel();
    channel.attr(REFUSED).set(new Refusal(status.code(), reason));
    // A 408 only where no response is under way: otherwise the client would read it as part of
    // another.
    boolean answer =
        phase == Phase.HEADER
            ? responsesEnded == requestsReceived
            : responsesStarted < requestsReceived && responsesEnded == requestsReceived - 1;
    if (!answer) {
      // What is already written of the answer under way leaves first (Vert.x flushes at the end of
      // a read).
      ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    ctx.writeAndFlush(answer(status, phase, reason))
        .addListener(
            written -> {
              if (!written.isSuccess() || !(channel instanceof DuplexChannel duplex)) {
                ctx.close();
                return;
              }
              duplex.shutdownOutput();
              ctx.executor().schedule(() -> ctx.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
            });
  }

  private FullHttpResponse answer(HttpResponseStatus status, Phase phase, String reason) {
    String id = null;
    if (requestIds != null) {
      if (phase == Phase.BODY) {
        id =
            registeredRequestId != null
                ? registeredRequestId
                : validRequestId(clientRequestId) ? clientRequestId : null;
      }
      if (id == null) {
        id = requestIds.get();
      }
    }
    byte[] body = JsonError.body(reason, id).getBytes(StandardCharsets.UTF_8);
    FullHttpResponse response =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
    response
        .headers()
        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
        .set(HttpHeaderNames.CONTENT_LENGTH, body.length)
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    if (id != null) {
      response.headers().set("x-request-id", id);
    }
    return response;
  }

  /** The decoder's reason, printable and short (it may quote the client's bytes). */
  private static String describe(Throwable cause) {
    String message =
        cause == null || cause.getMessage() == null ? "cannot be decoded" : cause.getMessage();
    StringBuilder printable = new StringBuilder();
    for (int i = 0; i < message.length() && printable.length() < 120; i++) {
      char c = message.charAt(i);
      printable.append(c < 0x20 || c > 0x7e ? '?' : c);
    }
    return printable.toString();
  }

  private static boolean informational(Object msg) {
    return msg instanceof HttpResponse response
        && response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
  }

  /** Short printable ASCII, as a client's own x-request-id must be to be taken. */
  private static boolean validRequestId(String id) {
    if (id == null || id.isEmpty() || id.length() > 128) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        return false;
      }
    }
    return true;
  }

  private static String seconds(long nanos) {
    long millis = TimeUnit.NANOSECONDS.toMillis(nanos);
    return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
  }
}
