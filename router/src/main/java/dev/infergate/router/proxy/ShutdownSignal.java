package dev.infergate.router.proxy;

/**
 * Set once when the router begins to shut down: from then on its readiness answers 503 and every
 * answer closes its connection, while requests are still served (the pre-stop delay of {@link
 * dev.infergate.router.config.ShutdownConfig}). Thread-safe.
 */
public final class ShutdownSignal {
  private volatile boolean stopping;

  public void begin() {
    stopping = true;
  }

  public boolean stopping() {
    return stopping;
  }
}
