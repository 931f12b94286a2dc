package dev.infergate.router.observability;

/** Why a try was repeated elsewhere. */
public enum RetryReason {
  /** Connect failure, reset or timeout: no response. */
  ERROR("error"),
  /** A 5xx response other than 501. */
  STATUS("status");

  private final String tag;

  RetryReason(String tag) {
    this.tag = tag;
  }

  public String tag() {
    return tag;
  }
}
