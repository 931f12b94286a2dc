package dev.infergate.router.ratelimit;

import dev.infergate.router.config.RateLimitConfig.Limit;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Token buckets by subject, at most {@code capacity} of them: adding one to a full table evicts the
 * least recently used, so a flood of new subjects pushes out idle consumers, never the active ones
 * (a consumer at its limit that keeps trying stays limited). Striped into segments, each an
 * access-ordered {@link LinkedHashMap} under its own lock: O(1) per request and little contention
 * between event loops; the order is least recently used per segment. Thread-safe, non-blocking
 * (segment locks are held for a map operation only).
 */
final class ConsumerTable {
  private static final int SEGMENTS = 16;
  private final Segment[] segments = new Segment[SEGMENTS];

  ConsumerTable(int capacity) {
    // Rounded down, so the table never holds more than asked for.
    int perSegment = Math.max(1, capacity / SEGMENTS);
    for (int i = 0; i < SEGMENTS; i++) {
      segments[i] = new Segment(perSegment);
    }
  }

  /**
   * {@code subject}'s bucket sized for {@code limit}: the one it has, or a new full one (its plan
   * may change).
   */
  TokenBucket bucket(String subject, Limit limit, long nowNanos) {
    Segment segment = segments[(subject.hashCode() ^ (subject.hashCode() >>> 16)) & (SEGMENTS - 1)];
    synchronized (segment) {
      TokenBucket bucket = segment.get(subject);
      if (bucket == null || !bucket.sized(limit.perSecond(), limit.burst())) {
        bucket = new TokenBucket(limit.perSecond(), limit.burst(), nowNanos);
        segment.put(subject, bucket);
      }
      return bucket;
    }
  }

  /** Drops buckets last used before {@code cutoffNanos}, oldest first. */
  void evictUsedBefore(long cutoffNanos) {
    for (Segment segment : segments) {
      synchronized (segment) {
        Iterator<TokenBucket> oldestFirst = segment.values().iterator();
        while (oldestFirst.hasNext()) {
          if (oldestFirst.next().lastUsedNanos() >= cutoffNanos) {
            break; // access order: the rest were used later
          }
          oldestFirst.remove();
        }
      }
    }
  }

  int size() {
    int size = 0;
    for (Segment segment : segments) {
      synchronized (segment) {
        size += segment.size();
      }
    }
    return size;
  }

  private static final class Segment extends LinkedHashMap<String, TokenBucket> {
    private final int capacity;

    Segment(int capacity) {
      super(16, 0.75f, true);
      this.capacity = capacity;
    }

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, TokenBucket> eldest) {
      return size() > capacity;
    }
  }
}
