package dev.infergate.router.ratelimit;

/**
 * A token bucket: {@code perSecond} tokens a second up to {@code burst}, refilled lazily from the
 * clock on each take. Thread-safe (one consumer's requests may arrive on several event loops) and
 * non-blocking: a refused take answers at once with how long until the next token.
 */
public final class TokenBucket {
  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private final long perSecond;
  private final long burst;
  private final long nanosPerToken;
  private double tokens;
  private long refilledAt;
  private volatile long lastUsed;

  public TokenBucket(long perSecond, long burst, long nowNanos) {
    this.perSecond = perSecond;
    this.burst = burst;
    this.nanosPerToken = Math.max(1, NANOS_PER_SECOND / perSecond);
    this.tokens = burst;
    this.refilledAt = nowNanos;
    this.lastUsed = nowNanos;
  }

  public long limit() {
    return burst;
  }

  /** Whether this bucket has these dimensions (a consumer's plan may change). */
  public boolean sized(long perSecond, long burst) {
    return this.perSecond == perSecond && this.burst == burst;
  }

  /** Takes one token if there is one. */
  public synchronized Decision tryTake(long nowNanos) {
    lastUsed = nowNanos;
    if (nowNanos > refilledAt) {
      tokens =
          Math.min(burst, tokens + (double) (nowNanos - refilledAt) * perSecond / NANOS_PER_SECOND);
      refilledAt = nowNanos;
    }
    boolean allowed = tokens >= 1;
    if (allowed) {
      tokens -= 1;
    }
    long nanosToNext = tokens >= 1 ? 0 : (long) ((1 - tokens) * nanosPerToken);
    long nanosToFull = (long) ((burst - tokens) * nanosPerToken);
    return new Decision(allowed, burst, (long) Math.floor(tokens), nanosToNext, nanosToFull);
  }

  /**
   * Sets the bucket to {@code tokens} (clamped to 0..burst) as of {@code nowNanos}: a local copy of
   * a bucket kept elsewhere (the cluster's shared one) follows it, so that when it has to decide on
   * its own it goes on from where the shared bucket was, not from full.
   */
  public synchronized void mirror(double tokens, long nowNanos) {
    lastUsed = nowNanos;
    this.tokens = Math.max(0, Math.min(burst, tokens));
    refilledAt = nowNanos;
  }

  public long lastUsedNanos() {
    return lastUsed;
  }

  /**
   * The outcome of a take, with what the {@code RateLimit-*} headers report.
   *
   * @param nanosToNextToken when refused, how long until a retry can succeed
   * @param nanosToFull how long until the bucket is full again ({@code RateLimit-Reset})
   */
  public record Decision(
      boolean allowed, long limit, long remaining, long nanosToNextToken, long nanosToFull) {
    public long retryAfterSeconds() {
      return Math.max(1, (nanosToNextToken + NANOS_PER_SECOND - 1) / NANOS_PER_SECOND);
    }

    public long resetSeconds() {
      return (nanosToFull + NANOS_PER_SECOND - 1) / NANOS_PER_SECOND;
    }
  }
}
