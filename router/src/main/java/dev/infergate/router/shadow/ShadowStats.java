package dev.infergate.router.shadow;

/**
 * A service's cumulative shadow counts since the router started, summed over the live tracks whose
 * requests were copied to {@code shadowTrack}. For a window, take the difference of two reads.
 * Immutable.
 *
 * @param shadowTrack the configured shadow track, or null when the service has no shadow
 * @param compared copies whose answer was compared with the live one: {@code agreed + disagreed}
 * @param errors copies the shadow answered with a non-2xx, or not at all (timeout, reset, refused)
 * @param dropped copies not sent because {@code shadow.maxQueued} copies were waiting or in flight
 * @param notComparable copies answered 2xx whose answers could not be compared (binary tensor data,
 *     an answer over the size cap, a content coding other than gzip or deflate, a live answer that
 *     is not a prediction)
 */
public record ShadowStats(
    String service,
    String shadowTrack,
    long compared,
    long agreed,
    long disagreed,
    long errors,
    long dropped,
    long notComparable) {

  /** A service without a shadow (or an unknown one): all zero. */
  public static ShadowStats none(String service) {
    return new ShadowStats(service, null, 0, 0, 0, 0, 0, 0);
  }

  /** {@code 100 * agreed / compared}, or NaN before the first comparison. */
  public double agreementPercent() {
    return compared == 0 ? Double.NaN : 100.0 * agreed / compared;
  }

  /** Copies the shadow answered with a 2xx: {@code compared + notComparable}. */
  public long answered() {
    return compared + notComparable;
  }
}
