package dev.infergate.router.rollout;

import dev.infergate.router.config.RolloutConfig;
import dev.infergate.router.observability.TrackOutcomes;
import java.util.List;

/**
 * The rollout's rules, as pure functions of a state, the time and the {@link Signals}: no clock, no
 * I/O, no threads (the driver calls it with its clock and applies what it returns). One step:
 *
 * <ul>
 *   <li><b>warming</b>: candidate weight 0 until every endpoint of its track passed its last
 *       readiness check and, when a shadow targets it, {@code warmup.shadowRequests} shadow copies
 *       were compared with the copies' p99 at most {@code maxP99Ratio} times the baseline's over
 *       the warm-up so far ({@link ShadowWarmup}); then step 1 (or the step it was warming for).
 *       Not warm within {@code warmup.timeoutSeconds}: paused, the reason naming what lacked.
 *   <li><b>running</b>: a step's weight is held {@code stepSeconds}, then the window is judged
 *       ({@link Analysis#judge}): pass → the next step, after the last one promotion (succeeded);
 *       fail → candidate weight 0 at once, aborted with the figures; inconclusive → held {@code
 *       stepSeconds} more (the window grows), and after {@code maxInconclusive} in a row paused for
 *       a human. A candidate whose track has no ready endpoint left goes back to warming with
 *       weight 0; a candidate weight that someone else changed pauses the rollout rather than fight
 *       them.
 *   <li><b>paused</b>: nothing moves until resume (a fresh hold; the step's weight put back) or
 *       abort.
 * </ul>
 */
final class RolloutMachine {
  private RolloutMachine() {}

  static Transition start(RolloutConfig config, String subject) {
    RolloutState s =
        new RolloutState(
            config,
            Phase.WARMING,
            0,
            "started by "
                + subject
                + "; warming "
                + config.candidate()
                + " (weight 0) before its first step",
            0,
            null,
            subject,
            List.of(),
            -1,
            -1,
            null);
    return Transition.persisted(s, 0, "rollout-start");
  }

  /** What time alone (and the signals) do to {@code s}; null when nothing changed. */
  static Transition tick(RolloutState s, long now, Signals signals) {
    return switch (s.phase()) {
      case WARMING -> warming(s, now, signals);
      case RUNNING -> running(s, now, signals);
      default -> null;
    };
  }

  static Transition pause(RolloutState s, String subject) {
    if (s.phase() != Phase.WARMING && s.phase() != Phase.RUNNING) {
      throw new IllegalStateException("nothing to pause: the rollout is " + s.phase().jsonName());
    }
    return Transition.persisted(s.paused("paused by " + subject), null, "rollout-pause");
  }

  static Transition resume(RolloutState s, String subject) {
    if (s.phase() != Phase.PAUSED) {
      throw new IllegalStateException("nothing to resume: the rollout is " + s.phase().jsonName());
    }
    Phase to = s.resumeTo();
    int weight = to == Phase.RUNNING ? s.config().weightOfStep(s.step()) : 0;
    RolloutState next =
        s.phase(
                to,
                "resumed by "
                    + subject
                    + (to == Phase.RUNNING
                        ? "; step " + s.step() + " held afresh at weight " + weight
                        : "; warming again"))
            .inconclusive(0)
            .unmarked();
    return Transition.persisted(next, weight, "rollout-resume");
  }

  static Transition abort(RolloutState s, String subject) {
    if (!s.phase().active()) {
      throw new IllegalStateException("nothing to abort: the rollout is " + s.phase().jsonName());
    }
    return Transition.persisted(
        s.phase(
            Phase.ABORTED, "aborted by " + subject + "; " + s.config().candidate() + " weight 0"),
        0,
        "rollout-abort");
  }

  private static Transition warming(RolloutState before, long now, Signals signals) {
    RolloutConfig c = before.config();
    boolean marking = before.marks() == null;
    RolloutState s = marking ? before.marked(now, -1, marks(c, signals)) : before;
    int weight = signals.weight(c.candidate());
    if (weight != 0) {
      return Transition.persisted(
          s.paused(
              "candidate "
                  + c.candidate()
                  + " weight changed outside the rollout "
                  + "while warming (expected 0, is "
                  + weight
                  + ")"),
          null,
          "rollout-pause");
    }
    Signals.Readiness ready = signals.readiness(c.candidate());
    // The warm-up's window: shadow copies and the baseline's first tries since warming began.
    ShadowWarmup shadow =
        signals
            .agreement(c.candidate())
            .map(
                a ->
                    ShadowWarmup.judge(
                        c,
                        a.minus(s.marks().agreement()),
                        signals.outcomes(c.baseline()).minus(s.marks().baseline())))
            .orElse(null);
    if (ready == Signals.Readiness.ALL && (shadow == null || shadow.warm())) {
      int step = Math.max(1, s.step());
      int w = c.weightOfStep(step);
      String why =
          "warm: every endpoint of "
              + c.candidate()
              + " ready"
              + (shadow != null ? ", " + shadow.figures() : "")
              + "; step "
              + step
              + ": weight "
              + w;
      RolloutState next =
          s.phase(Phase.RUNNING, why)
              .atStep(step)
              .marked(now, now + c.stepSeconds() * 1000, marks(c, signals));
      return Transition.persisted(next, w, "rollout-step");
    }
    if (now - s.sinceMillis() >= c.warmup().timeoutSeconds() * 1000) {
      String lacking =
          ready != Signals.Readiness.ALL
              ? "not every endpoint of " + c.candidate() + " reports its model version ready"
              : shadow.lacking();
      return Transition.persisted(
          s.paused(
              "not warm after warmup.timeoutSeconds "
                  + c.warmup().timeoutSeconds()
                  + ": "
                  + lacking
                  + "; paused for a human"),
          null,
          "rollout-pause");
    }
    if (ready == Signals.Readiness.ALL && shadow != null && shadow.counted(c)) {
      // Ready and answered enough, held back by the shadow's p99: say so with the figures (in
      // memory: they change at every tick, and are no transition to audit).
      String why = "warming " + c.candidate() + " (weight 0): " + shadow.lacking();
      if (!why.equals(s.reason())) {
        return Transition.inMemory(s.phase(Phase.WARMING, why));
      }
    }
    return marking ? Transition.inMemory(s) : null;
  }

  private static Transition running(RolloutState s, long now, Signals signals) {
    RolloutConfig c = s.config();
    if (s.marks() == null) {
      // Restored after a restart, or resumed: the step is held afresh from now.
      return Transition.inMemory(s.marked(now, now + c.stepSeconds() * 1000, marks(c, signals)));
    }
    int expected = c.weightOfStep(s.step());
    int weight = signals.weight(c.candidate());
    if (weight != expected) {
      return Transition.persisted(
          s.paused(
              "candidate "
                  + c.candidate()
                  + " weight changed outside the rollout "
                  + "(expected "
                  + expected
                  + " at step "
                  + s.step()
                  + ", is "
                  + weight
                  + ")"),
          null,
          "rollout-pause");
    }
    if (signals.readiness(c.candidate()) == Signals.Readiness.NONE) {
      RolloutState next =
          s.phase(
                  Phase.WARMING,
                  "no endpoint of "
                      + c.candidate()
                      + " is ready: weight 0, "
                      + "warming again for step "
                      + s.step())
              .unmarked();
      return Transition.persisted(next, 0, "rollout-rewarm");
    }
    if (now < s.windowEndsMillis()) {
      return null;
    }
    RolloutState.Marks at = s.marks();
    AgreementCounts agreement =
        signals.agreement(c.candidate()).map(a -> a.minus(at.agreement())).orElse(null);
    Analysis a =
        Analysis.judge(
            c,
            s.step(),
            signals.outcomes(c.candidate()).minus(at.candidate()),
            signals.outcomes(c.baseline()).minus(at.baseline()),
            agreement);
    RolloutState judged = s.analysed(a);
    return switch (a.verdict()) {
      case FAIL ->
          new Transition(
              judged.phase(
                  Phase.ABORTED,
                  "step "
                      + s.step()
                      + " failed: "
                      + a.reason()
                      + "; "
                      + c.candidate()
                      + " weight 0"),
              0,
              "rollout-abort",
              a);
      case PASS -> {
        if (s.step() < c.steps().size()) {
          int step = s.step() + 1;
          int w = c.weightOfStep(step);
          RolloutState next =
              judged
                  .phase(
                      Phase.RUNNING, "step " + s.step() + " passed; step " + step + ": weight " + w)
                  .atStep(step)
                  .marked(now, now + c.stepSeconds() * 1000, marks(c, signals));
          yield new Transition(next, w, "rollout-step", a);
        }
        yield new Transition(
            judged.phase(
                Phase.SUCCEEDED, "every step passed: " + c.candidate() + " promoted to 100"),
            100,
            "rollout-promote",
            a);
      }
      case INCONCLUSIVE -> {
        int count = s.inconclusive() + 1;
        if (count >= c.maxInconclusive()) {
          yield new Transition(
              judged
                  .inconclusive(count)
                  .paused(
                      count
                          + " inconclusive windows in a row at step "
                          + s.step()
                          + " ("
                          + a.reason()
                          + "): paused for a human"),
              null,
              "rollout-pause",
              a);
        }
        yield new Transition(
            judged
                .inconclusive(count)
                .phase(
                    Phase.RUNNING,
                    "step "
                        + s.step()
                        + " inconclusive ("
                        + a.reason()
                        + "): held "
                        + c.stepSeconds()
                        + " s more")
                .windowEnds(s.windowEndsMillis() + c.stepSeconds() * 1000),
            null,
            "rollout-inconclusive",
            a);
      }
    };
  }

  private static RolloutState.Marks marks(RolloutConfig c, Signals signals) {
    TrackOutcomes.Snapshot candidate = signals.outcomes(c.candidate());
    TrackOutcomes.Snapshot baseline = signals.outcomes(c.baseline());
    return new RolloutState.Marks(
        candidate, baseline, signals.agreement(c.candidate()).orElse(AgreementCounts.NONE));
  }
}
