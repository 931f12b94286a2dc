package dev.infergate.router.upstream;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Envoy-style retry budget of one service: at most max(percent of requests in flight,
 * minConcurrent) retries in flight at once, so that retries cannot multiply load on a struggling
 * track. Lock-free; thread-safe.
 */
public final class RetryBudget {
  private final int percent;
  private final int minConcurrent;
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger retries = new AtomicInteger();

  public RetryBudget(int percent, int minConcurrent) {
    this.percent = percent;
    this.minConcurrent = minConcurrent;
  }

  public int percent() {
    return percent;
  }

  public int minConcurrent() {
    return minConcurrent;
  }

  public void requestStarted() {
    requests.incrementAndGet();
  }

  public void requestEnded() {
    requests.decrementAndGet();
  }

  /** Takes a retry slot if the budget allows one; release it with {@link #retryEnded()}. */
  public boolean tryStartRetry() {
    while (true) {
      int active = retries.get();
      int limit = Math.max((int) ((long) requests.get() * percent / 100), minConcurrent);
      if (active >= limit) {
        return false;
      }
      if (retries.compareAndSet(active, active + 1)) {
        return true;
      }
    }
  }

  public void retryEnded() {
    retries.decrementAndGet();
  }

  public int retriesInFlight() {
    return retries.get();
  }

  public int requestsInFlight() {
    return requests.get();
  }
}
