package dev.infergate.router.rollout;

import dev.infergate.router.config.RolloutConfig;
import dev.infergate.router.observability.TrackOutcomes;
import java.util.Locale;

/**
 * The shadow's part of warm-up, judged over the warm-up so far (since warming began): at least
 * {@code warmup.shadowRequests} shadow answers compared, and the shadow copies' p99 at most {@code
 * maxP99Ratio} times the baseline's first-try p99 over the same window, the concurrent-baseline
 * rule a step's analysis applies to the candidate ({@link Analysis#judge}).
 *
 * <p>What is compared: a copy's try is timed as a live first try is ({@link AgreementCounts#tries}:
 * from handing the request to the transport, a wait for one of the endpoint's connections included,
 * to the answer's head or the failure), and a failed try counts with its time to the failure on
 * both sides. The copy is sent only after the client has the live answer, to the candidate's
 * endpoints, which take no live traffic while warming: its time is the candidate's answer to that
 * load, not added to any client's.
 *
 * <p>The baseline needs {@code minRequests} first tries for a p99 (as in a step's analysis); until
 * it has them the candidate stays warming (there is nothing to judge the shadow's p99 by, and
 * letting it through unjudged is what this gate is for), and {@code warmup.timeoutSeconds} pauses
 * it as for any other lack. {@code warmup.shadowRequests: 0} waits for no shadow answer and judges
 * no p99. Pure; immutable.
 *
 * @param answered shadow answers compared in the window
 * @param shadowP99Millis the copies' p99 in the window (0 without a try)
 * @param baselineRequests the baseline's first tries in the window
 * @param baselineP99Millis their p99
 * @param p99Ratio null until both sides had enough requests
 * @param lacking why the shadow is not warm, with the figures; null when warm
 */
record ShadowWarmup(
    long answered,
    double shadowP99Millis,
    long baselineRequests,
    double baselineP99Millis,
    Double p99Ratio,
    String lacking) {

  /**
   * @param shadow the shadow copies since warming began
   * @param baseline the baseline's first tries since warming began
   */
  static ShadowWarmup judge(
      RolloutConfig c, AgreementCounts shadow, TrackOutcomes.Snapshot baseline) {
    long needed = c.warmup().shadowRequests();
    long answered = shadow.compared();
    double shadowP99 = shadow.tries().quantileMillis(0.99);
    double baselineP99 = baseline.quantileMillis(0.99);
    if (needed == 0) {
      return new ShadowWarmup(answered, shadowP99, baseline.requests(), baselineP99, null, null);
    }
    String lacking = null;
    Double ratio = null;
    if (answered < needed) {
      lacking = "only " + answered + " of warmup.shadowRequests " + needed + " shadow answers";
    } else if (baseline.requests() < c.minRequests()) {
      lacking =
          answered
              + " shadow answers, but baseline requests "
              + baseline.requests()
              + " < minRequests "
              + c.minRequests()
              + " (no p99 to judge the shadow's by)";
    } else {
      // As Analysis: one histogram bucket at the bottom, so a sub-microsecond baseline is no
      // divisor.
      ratio = shadowP99 / Math.max(baselineP99, 0.001);
      if (ratio > c.maxP99Ratio()) {
        lacking =
            String.format(
                Locale.ROOT,
                "shadow p99 %.1f ms is %.2fx the baseline's %.1f ms, above maxP99Ratio %s",
                shadowP99,
                ratio,
                baselineP99,
                Analysis.num(c.maxP99Ratio()));
      }
    }
    return new ShadowWarmup(answered, shadowP99, baseline.requests(), baselineP99, ratio, lacking);
  }

  boolean warm() {
    return lacking == null;
  }

  /**
   * Whether the shadow answered enough to be judged on its p99: then a candidate that is not warm
   * is held back by the p99 (or the baseline's lack of requests), which the rollout's reason says.
   */
  boolean counted(RolloutConfig c) {
    return answered >= c.warmup().shadowRequests();
  }

  /** The figures of a warm shadow, for the reason of the first step. */
  String figures() {
    return p99Ratio == null
        ? answered + " shadow answers compared"
        : String.format(
            Locale.ROOT,
            "%d shadow answers compared, shadow p99 %.1f ms (%.2fx the baseline's %.1f ms)",
            answered,
            shadowP99Millis,
            p99Ratio,
            baselineP99Millis);
  }
}
