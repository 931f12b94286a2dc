package dev.infergate.router.rollout;

/** The outcome of one analysis window. */
public enum Verdict {
  PASS,
  FAIL,
  INCONCLUSIVE;

  public String jsonName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
