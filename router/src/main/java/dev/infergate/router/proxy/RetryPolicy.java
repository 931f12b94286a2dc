package dev.infergate.router.proxy;

/**
 * What to do after a try failed (DESIGN.md "Router request pipeline", step 7): a connection refused
 * at connect never reached a server and is tried again whatever the attempts and budget say (and
 * does not count as an attempt); a reset, a per-try timeout or a 5xx other than 501 is tried again
 * while {@code retry.attempts} are left and the service's retry budget gives a slot (at most
 * max({@code budgetPercent} of requests in flight, {@code minConcurrent}) retries in flight); the
 * next try goes to another endpoint of the same track, or, once the track has none left, to the
 * fallback track (once per request); with nothing left a 5xx is passed on as it came, a per-try
 * timeout answers 504 and anything else 503. Out of time ({@code timeoutMillis}) nothing is
 * retried.
 *
 * <p>Pure: no clock, no I/O, no state. The two answers that have side effects, a retry-budget slot
 * and the next endpoint (which reserves it), are asked through {@link Options}, in that order, and
 * only when the decision needs them, so a slot is never taken for a try that is not made and a
 * refused connect never touches the budget. Thread-safe.
 */
final class RetryPolicy {
  private RetryPolicy() {}

  /** The decision. */
  enum Decision {
    /** Try again on another endpoint of the same track. */
    RETRY,
    /** Try again on the fallback track. */
    FAIL_OVER,
    /** Pass the last response on as it came. */
    RELAY,
    ANSWER_503,
    ANSWER_504
  }

  /** Where the next endpoint comes from (the pick reserves it). */
  enum Next {
    SAME_TRACK,
    FALLBACK,
    NONE
  }

  /** What the policy may ask of the request; called at most once each per decision. */
  interface Options {
    /** Takes a retry-budget slot; false when the budget has none. */
    boolean takeRetrySlot();

    /** Picks and reserves the next endpoint. */
    Next pickNext();
  }

  /**
   * A decision and why: for a stop, what the 503 says was not done ({@link #NO_ENDPOINT_LEFT},
   * {@link #OUT_OF_TIME}, {@link #BUDGET_EXHAUSTED} or the attempts used).
   */
  record Verdict(Decision decision, String reason) {
    boolean retries() {
      return decision == Decision.RETRY || decision == Decision.FAIL_OVER;
    }
  }

  static final String NO_ENDPOINT_LEFT = "no endpoint left to try";
  static final String OUT_OF_TIME = "timeoutMillis reached";
  static final String BUDGET_EXHAUSTED = "retry budget exhausted";

  /**
   * @param attemptsUsed tries made so far that count against {@code maxAttempts} (refused ones do
   *     not)
   * @param millisLeft of the request's {@code timeoutMillis}
   */
  static Verdict decide(
      TryOutcome outcome, int attemptsUsed, int maxAttempts, long millisLeft, Options options) {
    switch (outcome) {
      case ANSWERED:
        return new Verdict(Decision.RELAY, "answered");
      case OVERALL_TIMEOUT:
        return new Verdict(Decision.ANSWER_504, OUT_OF_TIME);
      case CLIENT_GONE:
        throw new IllegalArgumentException("no decision once the client is gone");
      default:
        break;
    }
    if (millisLeft <= 0) {
      return stop(outcome, OUT_OF_TIME);
    }
    if (outcome != TryOutcome.REFUSED) {
      if (attemptsUsed >= maxAttempts) {
        return stop(outcome, "retry.attempts=" + maxAttempts + " used");
      }
      if (!options.takeRetrySlot()) {
        return stop(outcome, BUDGET_EXHAUSTED);
      }
    }
    return switch (options.pickNext()) {
      case SAME_TRACK -> new Verdict(Decision.RETRY, outcome.name());
      case FALLBACK -> new Verdict(Decision.FAIL_OVER, outcome.name());
      case NONE -> stop(outcome, NO_ENDPOINT_LEFT);
    };
  }

  /** No further try: pass a 5xx on, 504 for a per-try timeout, else 503. */
  private static Verdict stop(TryOutcome outcome, String reason) {
    Decision d =
        switch (outcome) {
          case STATUS_5XX -> Decision.RELAY;
          case TRY_TIMEOUT -> Decision.ANSWER_504;
          default -> Decision.ANSWER_503;
        };
    return new Verdict(d, reason);
  }
}
