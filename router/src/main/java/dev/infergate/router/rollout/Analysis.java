package dev.infergate.router.rollout;

import dev.infergate.router.config.RolloutConfig;
import dev.infergate.router.observability.TrackOutcomes;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The figures of one analysis window and its verdict. Candidate requests are those first sent to
 * the candidate; an error is a first try that got a 5xx (not 501), timed out, was reset or refused,
 * even if a retry elsewhere then served the client. The p99s are of first tries on each track over
 * the same window (a concurrent baseline, as Kayenta compares). Immutable.
 *
 * @param step the step (1-based) the window belonged to
 * @param p99Ratio null when either track had fewer than {@code minRequests} requests
 * @param shadowCompared null when no shadow targets the candidate
 * @param agreementPercent null when no shadow targets the candidate or it compared too few
 */
public record Analysis(
    int step,
    long requests,
    long errors,
    double errorPercent,
    long baselineRequests,
    double candidateP99Millis,
    double baselineP99Millis,
    Double p99Ratio,
    Long shadowCompared,
    Double agreementPercent,
    Verdict verdict,
    String reason) {

  /**
   * Judges a window. Fail when any figure that can be judged is out of bounds: the error rate
   * (judged even below {@code minRequests}: errors beyond {@code maxErrorPercent} of {@code
   * minRequests} cannot be outweighed), the p99 ratio, the agreement. Else inconclusive when a
   * figure lacks requests; else pass.
   *
   * @param agreement the window's shadow comparisons, or null when no shadow targets the candidate
   */
  public static Analysis judge(
      RolloutConfig c,
      int step,
      TrackOutcomes.Snapshot candidate,
      TrackOutcomes.Snapshot baseline,
      AgreementCounts agreement) {
    long requests = candidate.requests();
    long errors = candidate.errors();
    double errorPercent = requests == 0 ? 0 : errors * 100.0 / requests;
    double candidateP99 = candidate.quantileMillis(0.99);
    double baselineP99 = baseline.quantileMillis(0.99);
    Double ratio =
        requests >= c.minRequests() && baseline.requests() >= c.minRequests()
            // One histogram bucket at the bottom: a baseline answering in under a microsecond is no
            // divisor.
            ? candidateP99 / Math.max(baselineP99, 0.001)
            : null;
    Long compared = agreement == null ? null : agreement.compared();
    Double agreementPercent =
        agreement != null && agreement.compared() >= c.minRequests()
            ? agreement.agreed() * 100.0 / agreement.compared()
            : null;

    List<String> failed = new ArrayList<>();
    if (errors * 100.0 > c.maxErrorPercent() * Math.max(requests, c.minRequests())) {
      failed.add(
          String.format(
              Locale.ROOT,
              "candidate error rate %.2f%% (%d of %d) above maxErrorPercent %s",
              errorPercent,
              errors,
              requests,
              num(c.maxErrorPercent())));
    }
    if (ratio != null && ratio > c.maxP99Ratio()) {
      failed.add(
          String.format(
              Locale.ROOT,
              "candidate p99 %.1f ms is %.2fx the baseline's %.1f ms, above maxP99Ratio %s",
              candidateP99,
              ratio,
              baselineP99,
              num(c.maxP99Ratio())));
    }
    if (agreementPercent != null && agreementPercent < c.minAgreementPercent()) {
      failed.add(
          String.format(
              Locale.ROOT,
              "shadow agreement %.2f%% (%d of %d) below minAgreementPercent %s",
              agreementPercent,
              agreement.agreed(),
              agreement.compared(),
              num(c.minAgreementPercent())));
    }
    Verdict verdict;
    String reason;
    if (!failed.isEmpty()) {
      verdict = Verdict.FAIL;
      reason = String.join("; ", failed);
    } else {
      List<String> lacking = new ArrayList<>();
      if (requests < c.minRequests()) {
        lacking.add("candidate requests " + requests + " < minRequests " + c.minRequests());
      }
      if (baseline.requests() < c.minRequests()) {
        lacking.add(
            "baseline requests "
                + baseline.requests()
                + " < minRequests "
                + c.minRequests()
                + " (no p99)");
      }
      if (agreement != null && agreementPercent == null) {
        lacking.add(
            "shadow comparisons " + agreement.compared() + " < minRequests " + c.minRequests());
      }
      verdict = lacking.isEmpty() ? Verdict.PASS : Verdict.INCONCLUSIVE;
      reason = lacking.isEmpty() ? "every figure within its threshold" : String.join("; ", lacking);
    }
    return new Analysis(
        step,
        requests,
        errors,
        round(errorPercent),
        baseline.requests(),
        round(candidateP99),
        round(baselineP99),
        ratio == null ? null : round(ratio),
        compared,
        agreementPercent == null ? null : round(agreementPercent),
        verdict,
        reason);
  }

  static String num(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  private static double round(double d) {
    return Math.round(d * 1000) / 1000.0;
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("step", step)
        .put("requests", requests)
        .put("errors", errors)
        .put("errorPercent", errorPercent)
        .put("baselineRequests", baselineRequests)
        .put("candidateP99Millis", candidateP99Millis)
        .put("baselineP99Millis", baselineP99Millis)
        .put("p99Ratio", p99Ratio)
        .put("shadowCompared", shadowCompared)
        .put("agreementPercent", agreementPercent)
        .put("verdict", verdict.jsonName())
        .put("reason", reason);
  }

  /** Reads {@link #toJson}'s shape back (the state file's record of past windows). */
  static Analysis fromJson(JsonObject o) {
    Verdict verdict = Verdict.valueOf(o.getString("verdict").toUpperCase(Locale.ROOT));
    return new Analysis(
        o.getInteger("step"),
        o.getLong("requests"),
        o.getLong("errors"),
        o.getDouble("errorPercent"),
        o.getLong("baselineRequests"),
        o.getDouble("candidateP99Millis"),
        o.getDouble("baselineP99Millis"),
        o.getDouble("p99Ratio"),
        o.getLong("shadowCompared"),
        o.getDouble("agreementPercent"),
        verdict,
        o.getString("reason"));
  }
}
