package dev.infergate.router.auth;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The hot path's first stop: per thread (each event loop has its own), the last few hundred {@code
 * Authorization} header values already verified, keyed by the header string itself, so a repeat
 * costs one string hash and compare instead of the shared cache's SHA-256. Entries expire with
 * their token, and all of them are dropped when the key set changes ({@link #invalidateAll} bumps a
 * generation). Bounded per thread, least recently used out first.
 */
final class RecentTokens {
  /** Per event loop; keep-alive clients tend to send the same token on the same connection. */
  static final int CAPACITY_PER_THREAD = 1024;

  private record Entry(Consumer consumer, long expiresAtMillis, long generation) {}

  /**
   * One thread's entries, and the last one it answered: a client's next request usually repeats it.
   */
  private static final class PerThread {
    final Map<String, Entry> recent =
        new LinkedHashMap<>(64, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
            return size() > CAPACITY_PER_THREAD;
          }
        };
    String lastAuthorization;
    Entry lastEntry;

    void forgetLast() {
      lastAuthorization = null;
      lastEntry = null;
    }
  }

  private final LongSupplier clockMillis;
  private final java.util.concurrent.atomic.AtomicLong generation =
      new java.util.concurrent.atomic.AtomicLong();
  private final ThreadLocal<PerThread> perThread = ThreadLocal.withInitial(PerThread::new);

  RecentTokens(LongSupplier clockMillis) {
    this.clockMillis = clockMillis;
  }

  /** The consumer for this exact header value, or null. */
  Consumer get(String authorization) {
    PerThread thread = perThread.get();
    Entry entry;
    // A repeat of the last value is one (vectorised) string compare: no hash of a ~500-byte header.
    if (authorization.equals(thread.lastAuthorization)) {
      entry = thread.lastEntry;
    } else {
      entry = thread.recent.get(authorization);
      if (entry == null) {
        return null;
      }
      thread.lastAuthorization = authorization;
      thread.lastEntry = entry;
    }
    if (entry.generation != generation.get() || entry.expiresAtMillis <= clockMillis.getAsLong()) {
      thread.recent.remove(authorization);
      thread.forgetLast();
      return null;
    }
    return entry.consumer;
  }

  void put(String authorization, TokenVerifier.Verified verified) {
    PerThread thread = perThread.get();
    thread.recent.put(
        authorization,
        new Entry(verified.consumer(), verified.expiresAtMillis(), generation.get()));
    if (authorization.equals(thread.lastAuthorization)) {
      thread.forgetLast();
    }
  }

  /** The key set changed: every thread's entries are stale. */
  void invalidateAll() {
    generation.incrementAndGet();
  }
}
