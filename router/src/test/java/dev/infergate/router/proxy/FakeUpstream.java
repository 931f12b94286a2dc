package dev.infergate.router.proxy;

import dev.infergate.router.upstream.http.OutboundRequest;
import dev.infergate.router.upstream.http.UpstreamExchange;
import dev.infergate.router.upstream.http.UpstreamTransport;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A transport without sockets for forwarding's unit tests: each send is recorded as an {@link
 * Exchange} that the test then answers, refuses or fails by hand, synchronously, as a real
 * transport would on the event loop.
 */
final class FakeUpstream implements UpstreamTransport {
  final List<Exchange> sent = new ArrayList<>();

  @Override
  public UpstreamExchange send(
      OutboundRequest request,
      String host,
      int port,
      String authority,
      String uri,
      int connectTimeoutMillis,
      UpstreamExchange.Listener listener) {
    Exchange e = new Exchange(request, authority, uri, listener);
    sent.add(e);
    return e;
  }

  @Override
  public void close() {}

  Exchange last() {
    return sent.get(sent.size() - 1);
  }

  static final class Exchange implements UpstreamExchange {
    final OutboundRequest request;
    final String authority;
    final String uri;
    private final Listener listener;
    private final Map<CharSequence, CharSequence> headers = new LinkedHashMap<>();
    private int status;
    private Handler<Buffer> handler;
    private Handler<Void> endHandler;
    private Handler<Throwable> exceptionHandler;
    boolean reset;
    boolean discarded;

    Exchange(OutboundRequest request, String authority, String uri, Listener listener) {
      this.request = request;
      this.authority = authority;
      this.uri = uri;
      this.listener = listener;
    }

    /** The connection could not be made. */
    void refuse() {
      if (!reset) {
        listener.failed(new ConnectException("Connection refused: " + authority));
      }
    }

    /** The connection closed before a head. */
    void closeBeforeHead() {
      if (!reset) {
        listener.connected();
        listener.failed(
            new IOException("connection to the model server closed before the response ended"));
      }
    }

    /** A head; the body follows with {@link #body} and {@link #end}. */
    Exchange head(int statusCode, String... nameValues) {
      status = statusCode;
      for (int i = 0; i < nameValues.length; i += 2) {
        headers.put(nameValues[i], nameValues[i + 1]);
      }
      listener.connected();
      listener.head(this);
      return this;
    }

    Exchange body(String chunk) {
      if (!reset && !discarded && handler != null) {
        handler.handle(Buffer.buffer(chunk));
      }
      return this;
    }

    void end() {
      if (!reset && !discarded && endHandler != null) {
        endHandler.handle(null);
      }
    }

    void failMidBody(String why) {
      if (!reset && exceptionHandler != null) {
        exceptionHandler.handle(new IOException(why));
      }
    }

    @Override
    public int statusCode() {
      return status;
    }

    @Override
    public String header(CharSequence name) {
      for (Map.Entry<CharSequence, CharSequence> h : headers.entrySet()) {
        if (h.getKey().toString().equalsIgnoreCase(name.toString())) {
          return h.getValue().toString();
        }
      }
      return null;
    }

    @Override
    public Iterator<Map.Entry<CharSequence, CharSequence>> headers() {
      return headers.entrySet().iterator();
    }

    @Override
    public void handler(Handler<Buffer> h) {
      handler = h;
    }

    @Override
    public void endHandler(Handler<Void> h) {
      endHandler = h;
    }

    @Override
    public void exceptionHandler(Handler<Throwable> h) {
      exceptionHandler = h;
    }

    @Override
    public void pause() {}

    @Override
    public void resume() {}

    @Override
    public void discard() {
      discarded = true;
    }

    @Override
    public void reset() {
      reset = true;
    }
  }
}
