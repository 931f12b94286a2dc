package dev.infergate.router.testsupport;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * Concurrent client load, bounded in request count and in time: {@code threads} workers send
 * requests back to back until {@link #stop()}, the count or the time limit. Counts every answer by
 * status and by served track, and keeps the first failures (non-2xx or exception) for messages.
 */
public final class LoadLoop implements AutoCloseable {
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicInteger sent = new AtomicInteger();
  private final AtomicInteger ok = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();
  private final Map<String, AtomicInteger> byTrack = new ConcurrentHashMap<>();
  private final Map<Integer, AtomicInteger> byStatus = new ConcurrentHashMap<>();
  private final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
  private final CountDownLatch finished;
  private final List<Thread> workers = new ArrayList<>();

  private final Duration maxTime;

  private LoadLoop(int threads, Duration maxTime) {
    this.finished = new CountDownLatch(threads);
    this.maxTime = maxTime;
  }

  /**
   * Starts the load.
   *
   * @param request builds the i-th request
   */
  public static LoadLoop start(
      int threads, int maxRequests, Duration maxTime, IntFunction<HttpRequest> request) {
    LoadLoop loop = new LoadLoop(threads, maxTime);
    long deadline = System.nanoTime() + maxTime.toNanos();
    for (int t = 0; t < threads; t++) {
      Thread w =
          new Thread(
              () -> {
                try {
                  while (!loop.stop.get() && System.nanoTime() < deadline) {
                    int i = loop.sent.getAndIncrement();
                    if (i >= maxRequests) {
                      break;
                    }
                    loop.record(Http.trySend(request.apply(i)));
                  }
                } finally {
                  loop.finished.countDown();
                }
              },
              "load-" + t);
      w.setDaemon(true);
      loop.workers.add(w);
      w.start();
    }
    return loop;
  }

  private void record(Object outcome) {
    if (outcome instanceof Http.Response r) {
      byStatus.computeIfAbsent(r.status(), k -> new AtomicInteger()).incrementAndGet();
    }
    if (outcome instanceof Http.Response r && r.status() / 100 == 2) {
      ok.incrementAndGet();
      String track = r.header("x-infergate-track");
      byTrack.computeIfAbsent(String.valueOf(track), k -> new AtomicInteger()).incrementAndGet();
    } else {
      failed.incrementAndGet();
      if (failures.size() < 10) {
        failures.add(
            outcome instanceof Http.Response r
                ? r.status() + " " + r.body()
                : String.valueOf(outcome));
      }
    }
  }

  /** Completed requests so far. */
  public int completed() {
    return ok.get() + failed.get();
  }

  public int ok() {
    return ok.get();
  }

  public int failed() {
    return failed.get();
  }

  public int byTrack(String track) {
    AtomicInteger n = byTrack.get(track);
    return n == null ? 0 : n.get();
  }

  /** Answers with this status so far. */
  public int status(int status) {
    AtomicInteger n = byStatus.get(status);
    return n == null ? 0 : n.get();
  }

  public List<String> failures() {
    return List.copyOf(failures);
  }

  /** Waits until at least {@code n} more requests completed (bounded). */
  public void awaitMore(int n, Duration timeout) {
    int target = completed() + n;
    Poll.until(
        timeout, () -> completed() >= target || finished.getCount() == 0, n + " more requests");
  }

  /** Waits until the workers ran out of requests or time (they are bounded by both). */
  public LoadLoop awaitFinished() {
    try {
      if (!finished.await(maxTime.toSeconds() + Http.TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS)) {
        throw new AssertionError("load workers did not finish");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return this;
  }

  /** Stops the workers and waits for them. */
  public LoadLoop stop() {
    stop.set(true);
    try {
      if (!finished.await(Http.TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS)) {
        throw new AssertionError("load workers did not stop");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return this;
  }

  @Override
  public void close() {
    stop();
  }
}
