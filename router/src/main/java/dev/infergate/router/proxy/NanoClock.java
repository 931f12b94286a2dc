package dev.infergate.router.proxy;

/**
 * The monotonic clock forwarding reads ({@link System#nanoTime()} in production), injected so that
 * tests drive timeouts by setting the time instead of waiting for it. Thread-safe implementations.
 */
@FunctionalInterface
interface NanoClock {
  NanoClock SYSTEM = System::nanoTime;

  long nanoTime();
}
