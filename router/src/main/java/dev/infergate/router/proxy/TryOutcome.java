package dev.infergate.router.proxy;

/**
 * How one try ended; what {@link RetryPolicy} decides on and what an {@link AttemptObserver} hears.
 */
enum TryOutcome {
  /** A response to pass on (anything but a retryable 5xx). */
  ANSWERED,
  /** A 5xx other than 501: the replica's fault (a model server answers bad input with a 4xx). */
  STATUS_5XX,
  /** The connection could not be made: the request never reached a server. */
  REFUSED,
  /** The connection failed or closed after the request may have reached the server. */
  RESET,
  /** No response head within {@code retry.perTryTimeoutMillis}. */
  TRY_TIMEOUT,
  /** The request's {@code timeoutMillis} ran out during the try. */
  OVERALL_TIMEOUT,
  /** The client closed its connection during the try. */
  CLIENT_GONE;

  /**
   * Whether the endpoint is to blame (a breaker failure), rather than the client or the request's
   * clock.
   */
  boolean endpointFault() {
    return this == STATUS_5XX || this == REFUSED || this == RESET || this == TRY_TIMEOUT;
  }
}
