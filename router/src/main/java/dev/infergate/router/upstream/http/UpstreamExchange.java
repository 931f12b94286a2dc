package dev.infergate.router.upstream.http;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import java.util.Iterator;
import java.util.Map;

/**
 * One request sent by an {@link UpstreamTransport} and its response. The {@link Listener} hears the
 * response head (or a failure before it); before {@code head} returns, the listener either takes
 * the body ({@link #handler}, {@link #endHandler}, {@link #exceptionHandler}, with {@link #pause}
 * and {@link #resume} for back-pressure), {@link #discard}s it or {@link #reset}s the exchange: no
 * body bytes are delivered before the head's callback has returned.
 *
 * <p>Threading: every method is called, and every callback runs, on the event loop of the transport
 * that made the exchange. Not thread-safe.
 *
 * <p>Errors: a failure before the head goes to {@link Listener#failed}, after it to the {@link
 * #exceptionHandler}; nothing is reported after {@link #reset}.
 */
public interface UpstreamExchange {
  /** What happens to an exchange before its body; set once, when it is sent. */
  interface Listener {
    /** The request is on a connection and being written: the try is past its connect phase. */
    default void connected() {}

    /** The response head arrived: {@link #statusCode()} and the headers can be read. */
    void head(UpstreamExchange response);

    /**
     * No response head. A {@link java.net.ConnectException} means the connection could not be made
     * and the request never reached the server; anything else (an {@link java.io.IOException} for a
     * reset or a close) means it may have.
     */
    void failed(Throwable cause);
  }

  int statusCode();

  /** The response header {@code name} (case-insensitive), or null. */
  String header(CharSequence name);

  /** The response headers as received, in order; read only during the head's callback. */
  Iterator<Map.Entry<CharSequence, CharSequence>> headers();

  void handler(Handler<Buffer> handler);

  void endHandler(Handler<Void> handler);

  void exceptionHandler(Handler<Throwable> handler);

  void pause();

  void resume();

  /** Reads the rest of the response and drops it, so the connection can be used again. */
  void discard();

  /** Abandons the exchange: its connection is closed and nothing more is reported. Idempotent. */
  void reset();
}
