package dev.infergate.router.upstream.http;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.net.ConnectException;
import java.util.AbstractMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@link UpstreamTransport} on Vert.x's public {@code HttpClient} ({@code upstream.transport:
 * vertx}): no Vert.x internals and no Netty, so it keeps working when an upgrade breaks what {@link
 * NettyTransport} relies on, at the cost of Vert.x's per-request wrappers (bench/RESULTS.md,
 * "hybrid"). Headers are built with the same {@link HeaderRules} and forwarding-header format as
 * {@link RequestWriter}; both pass the same contract test.
 *
 * <p>One client per event loop; callbacks run on the caller's context. A failure before a
 * connection was obtained is reported as a {@link ConnectException} (the request never left), one
 * after it as an {@link IOException}.
 */
final class VertxTransport implements UpstreamTransport {
  private final HttpClientAgent client;

  VertxTransport(Vertx vertx, long idleTimeoutMillis) {
    this.client =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setTcpNoDelay(true)
                .setKeepAlive(true)
                .setIdleTimeout((int) Math.min(Integer.MAX_VALUE, idleTimeoutMillis))
                .setIdleTimeoutUnit(TimeUnit.MILLISECONDS),
            new PoolOptions().setHttp1MaxSize(NettyTransport.MAX_CONNECTIONS_PER_ENDPOINT));
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
    Exchange exchange = new Exchange(listener);
    RequestOptions options =
        new RequestOptions()
            .setMethod(request.method())
            .setHost(host)
            .setPort(port)
            .setURI(uri)
            .setConnectTimeout(connectTimeoutMillis);
    client
        .request(options)
        .onComplete(
            ar -> {
              if (exchange.reset) {
                if (ar.succeeded()) {
                  ar.result().reset();
                }
                return;
              }
              if (ar.failed()) {
                exchange.fail(
                    ar.cause() instanceof ConnectException c ? c : connectFailure(ar.cause()));
                return;
              }
              exchange.sending(ar.result(), request, authority);
            });
    return exchange;
  }

  @Override
  public void close() {
    client.close();
  }

  private static ConnectException connectFailure(Throwable cause) {
    ConnectException e =
        new ConnectException("no connection to the model server: " + cause.getMessage());
    e.initCause(cause);
    return e;
  }

  /** The router's own and the client's end-to-end headers, as {@link RequestWriter} writes them. */
  static void headers(MultiMap out, OutboundRequest request, String authority) {
    out.set("Host", authority);
    MultiMap in = request.clientHeaders();
    String options = HeaderRules.connectionOptions(in.get("connection"));
    StringBuilder earlierFor = null;
    StringBuilder earlierForwarded = null;
    boolean sentProto = false;
    boolean sentHost = false;
    for (Map.Entry<String, String> h : in) {
      String name = h.getKey();
      if (HeaderRules.isHopByHop(name, options)) {
        continue;
      }
      if (HeaderRules.setByRouter(name)) {
        if (HeaderRules.is(name, "x-forwarded-for")) {
          earlierFor =
              (earlierFor == null ? new StringBuilder() : earlierFor)
                  .append(h.getValue())
                  .append(", ");
        } else if (HeaderRules.is(name, "forwarded")) {
          earlierForwarded =
              (earlierForwarded == null ? new StringBuilder() : earlierForwarded)
                  .append(h.getValue())
                  .append(", ");
        }
        continue;
      }
      if (request.dropAuthorization() && HeaderRules.is(name, "authorization")) {
        continue;
      }
      sentHost |= HeaderRules.is(name, "x-forwarded-host");
      sentProto |= HeaderRules.is(name, "x-forwarded-proto");
      out.add(name, h.getValue());
    }
    out.add("x-request-id", request.requestId());
    out.add("traceparent", request.traceparent());
    String address = request.clientAddress();
    out.add("x-forwarded-for", (earlierFor == null ? "" : earlierFor) + address);
    StringBuilder forwarded = earlierForwarded == null ? new StringBuilder() : earlierForwarded;
    forwarded.append("for=").append(address.indexOf(':') >= 0 ? "\"[" + address + "]\"" : address);
    if (request.clientAuthority() != null) {
      forwarded.append(";host=\"").append(request.clientAuthority()).append('"');
    }
    forwarded.append(";proto=").append(request.clientProto());
    out.add("forwarded", forwarded.toString());
    if (!sentProto) {
      out.add("x-forwarded-proto", request.clientProto());
    }
    if (!sentHost && request.clientAuthority() != null) {
      out.add("x-forwarded-host", request.clientAuthority());
    }
  }

  /** One request and its response over Vert.x's client. */
  private static final class Exchange implements UpstreamExchange {
    private final Listener listener;
    private HttpClientRequest request;
    private HttpClientResponse response;
    private boolean reset;
    private boolean ended;

    Exchange(Listener listener) {
      this.listener = listener;
    }

    void sending(HttpClientRequest req, OutboundRequest outbound, String authority) {
      request = req;
      VertxTransport.headers(req.headers(), outbound, authority);
      listener.connected();
      Future<HttpClientResponse> answer =
          outbound.body() == null ? req.send() : req.send(outbound.body());
      answer.onComplete(
          ar -> {
            if (reset) {
              return;
            }
            if (ar.failed()) {
              fail(
                  ar.cause() instanceof IOException
                      ? ar.cause()
                      : new IOException(
                          "connection to the model server closed before the response: "
                              + ar.cause().getMessage(),
                          ar.cause()));
              return;
            }
            response = ar.result();
            response.pause(); // no body before the listener has chosen what to do with it
            listener.head(this);
            if (!reset) {
              response.resume();
            }
          });
    }

    void fail(Throwable cause) {
      reset = true;
      listener.failed(cause);
    }

    @Override
    public int statusCode() {
      return response.statusCode();
    }

    @Override
    public String header(CharSequence name) {
      return response.headers().get(name);
    }

    @Override
    public Iterator<Map.Entry<CharSequence, CharSequence>> headers() {
      Iterator<Map.Entry<String, String>> it = response.headers().iterator();
      return new Iterator<>() {
        @Override
        public boolean hasNext() {
          return it.hasNext();
        }

        @Override
        public Map.Entry<CharSequence, CharSequence> next() {
          Map.Entry<String, String> e = it.next();
          return new AbstractMap.SimpleImmutableEntry<>(e.getKey(), e.getValue());
        }
      };
    }

    @Override
    public void handler(Handler<Buffer> handler) {
      response.handler(handler);
    }

    @Override
    public void endHandler(Handler<Void> handler) {
      response.endHandler(
          v -> {
            ended = true;
            handler.handle(null);
          });
    }

    @Override
    public void exceptionHandler(Handler<Throwable> handler) {
      response.exceptionHandler(
          t -> {
            if (!reset && !ended) {
              handler.handle(t);
            }
          });
    }

    @Override
    public void pause() {
      response.pause();
    }

    @Override
    public void resume() {
      if (!reset) {
        response.resume();
      }
    }

    @Override
    public void discard() {
      response.handler(null);
      response.endHandler(v -> ended = true);
      response.exceptionHandler(t -> {});
    }

    @Override
    public void reset() {
      if (reset) {
        return;
      }
      reset = true;
      if (request != null && !ended) {
        request.reset();
      }
    }
  }
}
