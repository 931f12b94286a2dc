package dev.infergate.modelserver.http;

import io.vertx.core.http.HttpServerResponse;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Whether the server is draining (readiness false after SIGTERM) and how many requests are in
 * flight, so shutdown can wait for them. Thread-safe.
 */
public final class Lifecycle {
  private final AtomicBoolean draining = new AtomicBoolean();
  private final LongAdder inFlight = new LongAdder();

  public boolean draining() {
    return draining.get();
  }

  public void startDraining() {
    draining.set(true);
  }

  public long inFlight() {
    return inFlight.sum();
  }

  /** Counts a request in flight until its response ends or its connection goes, once either way. */
  void track(HttpServerResponse response) {
    inFlight.increment();
    TrackedRequest request = new TrackedRequest();
    response
        .endHandler(request::ended)
        .closeHandler(request::ended)
        .exceptionHandler(request::ended);
  }

  /**
   * One request's way out of the count; Vert.x may report its end more than once (end, then close).
   */
  private final class TrackedRequest {
    private boolean ended; // the response's event loop only

    void ended(Object ignored) {
      if (!ended) {
        ended = true;
        inFlight.decrement();
      }
    }
  }
}
