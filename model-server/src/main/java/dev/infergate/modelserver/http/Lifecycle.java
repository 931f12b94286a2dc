package dev.infergate.modelserver.http;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Whether the server is draining (readiness false after SIGTERM) and how many requests are in flight,
 * so shutdown can wait for them. Thread-safe.
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

  void requestStarted() {
    inFlight.increment();
  }

  void requestEnded() {
    inFlight.decrement();
  }
}
