package dev.infergate.router.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.router.config.RolloutConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The rollout state machine on a fake clock and hand-set signals, one behaviour per test. Steps
 * [10, 50], 60 s holds, verdicts need 100 requests; a shadow, when set, needs 50 answers to warm,
 * with a p99 at most 1.5x the baseline's.
 */
class RolloutMachineTest {
  private static final String CANDIDATE = "canary";
  private static final String BASELINE = "stable";
  private static final long STEP_MILLIS = 60_000;
  private static final RolloutConfig CONFIG =
      new RolloutConfig(
          CANDIDATE,
          BASELINE,
          List.of(10, 50),
          60,
          100,
          1,
          1.5,
          95,
          3,
          new RolloutConfig.Warmup(50, 300));

  private final FakeSignals signals = new FakeSignals(CANDIDATE, BASELINE);
  private long now = 1_000_000;

  /** What the driver does with a transition: the weights go into force. */
  private RolloutState apply(Transition t) {
    if (t.candidateWeight() != null) {
      int w = t.candidateWeight();
      signals.weights.put(CANDIDATE, w);
      signals.weights.put(BASELINE, 100 - w);
    }
    return t.state();
  }

  private RolloutState tick(RolloutState s) {
    Transition t = RolloutMachine.tick(s, now, signals);
    return t == null ? s : apply(t);
  }

  /** Started and warm: step 1 in force, its window started now. */
  private RolloutState runningAtStepOne() {
    RolloutState s = tick(apply(RolloutMachine.start(CONFIG, "alice")));
    assertEquals(Phase.RUNNING, s.phase());
    return s;
  }

  /** A window's worth of traffic, healthy on both tracks unless the test adds more. */
  private void healthyWindow() {
    signals.requests(CANDIDATE, 200, 0, 10).requests(BASELINE, 1000, 0, 10);
  }

  @Test
  void startPutsTheCandidateAtWeightZeroWhileItWarms() {
    signals.weights.put(CANDIDATE, 10);
    Transition t = RolloutMachine.start(CONFIG, "alice");
    assertEquals(Phase.WARMING, t.state().phase());
    assertEquals(0, t.candidateWeight());
    assertEquals("rollout-start", t.action());
    assertEquals("alice", t.state().startedBy());
  }

  @Test
  void candidateGetsNoWeightUntilEveryEndpointOfItsTrackIsReady() {
    signals.readiness.put(CANDIDATE, Signals.Readiness.SOME);
    RolloutState s = tick(apply(RolloutMachine.start(CONFIG, "alice")));
    now += 10_000;
    s = tick(s);
    assertEquals(Phase.WARMING, s.phase());
    assertEquals(0, signals.weight(CANDIDATE));

    signals.readiness.put(CANDIDATE, Signals.Readiness.ALL);
    Transition t = RolloutMachine.tick(s, now, signals);
    assertEquals(Phase.RUNNING, t.state().phase());
    assertEquals(1, t.state().step());
    assertEquals(10, t.candidateWeight());
  }

  @Test
  void withAShadowOnTheCandidateWarmUpWaitsForShadowAnswers() {
    signals.compared(0, 0);
    RolloutState s = tick(apply(RolloutMachine.start(CONFIG, "alice")));
    signals.requests(BASELINE, 100, 0, 10).compared(49, 49);
    s = tick(s);
    assertEquals(Phase.WARMING, s.phase());
    signals.compared(1, 1);
    s = tick(s);
    assertEquals(Phase.RUNNING, s.phase());
    assertEquals(10, signals.weight(CANDIDATE));
  }

  /** Started with a shadow on the candidate; the warm-up's window begins at this first tick. */
  private RolloutState warmingWithAShadow() {
    signals.compared(0, 0);
    RolloutState s = tick(apply(RolloutMachine.start(CONFIG, "alice")));
    assertEquals(Phase.WARMING, s.phase());
    return s;
  }

  @Test
  void aShadowAsFastAsTheBaselineWarmsTheCandidateToStepOneWithTheFigures() {
    RolloutState s = warmingWithAShadow();
    signals.requests(BASELINE, 200, 0, 12).compared(50, 50, 15);
    Transition t = RolloutMachine.tick(s, now, signals);
    assertEquals(Phase.RUNNING, t.state().phase());
    assertEquals(1, t.state().step());
    assertEquals(10, t.candidateWeight());
    assertEquals("rollout-step", t.action());
    assertTrue(
        t.state()
            .reason()
            .contains(
                "50 shadow answers compared, shadow p99 15.1 ms (1.26x the baseline's 12.0 ms)"),
        t.state().reason());
  }

  @Test
  void aShadowSlowerThanMaxP99RatioTimesTheBaselineKeepsTheCandidateWarmingWithTheFigures() {
    RolloutState s = warmingWithAShadow();
    signals.requests(BASELINE, 200, 0, 12).compared(50, 50, 35);
    Transition t = RolloutMachine.tick(s, now, signals);
    assertEquals(Phase.WARMING, t.state().phase());
    assertNull(t.candidateWeight());
    assertFalse(t.persists(), "figures that change at every tick are not audited");
    assertEquals(
        "warming canary (weight 0): shadow p99 35.8 ms is 2.98x the baseline's 12.0 ms, "
            + "above maxP99Ratio 1.5",
        t.state().reason());
    s = apply(t);
    now += 10_000;
    assertNull(RolloutMachine.tick(s, now, signals), "same figures, nothing to say");
    signals.requests(BASELINE, 1000, 0, 12).compared(500, 500, 35);
    now += 10_000;
    s = tick(s);
    assertEquals(Phase.WARMING, s.phase());
    assertEquals(0, signals.weight(CANDIDATE));
  }

  @Test
  void aShadowSlowUntilTheWarmupTimeoutPausesWithItsFigures() {
    RolloutState s = warmingWithAShadow();
    signals.requests(BASELINE, 200, 0, 12).compared(50, 50, 35);
    s = tick(s);
    now += 299_999;
    assertNull(RolloutMachine.tick(s, now, signals));
    now += 1;
    Transition t = RolloutMachine.tick(s, now, signals);
    assertEquals(Phase.PAUSED, t.state().phase());
    assertEquals(Phase.WARMING, t.state().resumeTo());
    assertNull(t.candidateWeight());
    assertEquals("rollout-pause", t.action());
    assertEquals(
        "not warm after warmup.timeoutSeconds 300: shadow p99 35.8 ms is 2.98x the baseline's "
            + "12.0 ms, above maxP99Ratio 1.5; paused for a human",
        t.state().reason());
  }

  @Test
  void withTooFewBaselineRequestsForAP99TheShadowIsNotJudgedAndTheCandidateWaits() {
    RolloutState s = warmingWithAShadow();
    signals.requests(BASELINE, 99, 0, 20).compared(50, 50, 20);
    s = tick(s);
    assertEquals(Phase.WARMING, s.phase());
    assertEquals(0, signals.weight(CANDIDATE));
    assertTrue(s.reason().contains("baseline requests 99 < minRequests 100"), s.reason());
    signals.requests(BASELINE, 1, 0, 20);
    assertEquals(Phase.RUNNING, tick(s).phase());
  }

  @Test
  void shadowLatencyBeforeWarmingBeganDoesNotCount() {
    signals.compared(500, 500, 900); // a slow shadow before this rollout: not its warm-up
    RolloutState s = tick(apply(RolloutMachine.start(CONFIG, "alice")));
    signals.requests(BASELINE, 200, 0, 20).compared(50, 50, 20);
    assertEquals(Phase.RUNNING, tick(s).phase());
  }

  @Test
  void notWarmWithinTheWarmupTimeoutPausesForAHuman() {
    signals.readiness.put(CANDIDATE, Signals.Readiness.NONE);
    RolloutState s = tick(apply(RolloutMachine.start(CONFIG, "alice")));
    now += 299_000;
    assertNull(RolloutMachine.tick(s, now, signals));
    now += 1_000;
    Transition t = RolloutMachine.tick(s, now, signals);
    assertEquals(Phase.PAUSED, t.state().phase());
    assertEquals(Phase.WARMING, t.state().resumeTo());
    assertNull(t.candidateWeight());
    assertTrue(t.state().reason().contains("not every endpoint of canary"), t.state().reason());
  }

  @Test
  void aStepIsHeldForStepSecondsBeforeItIsAnalysed() {
    RolloutState s = runningAtStepOne();
    healthyWindow();
    now += STEP_MILLIS - 1;
    assertNull(RolloutMachine.tick(s, now, signals));
    assertTrue(s.analyses().isEmpty());
  }

  @Test
  void aPassingWindowMovesToTheNextStepAndItsWeight() {
    RolloutState s = runningAtStepOne();
    healthyWindow();
    now += STEP_MILLIS;
    Transition t = RolloutMachine.tick(s, now, signals);
    assertEquals(Verdict.PASS, t.analysis().verdict());
    assertEquals(2, t.state().step());
    assertEquals(50, t.candidateWeight());
    assertEquals("rollout-step", t.action());
  }

  @Test
  void passingTheLastStepPromotesTheCandidateToAHundred() {
    RolloutState s = runningAtStepOne();
    healthyWindow();
    now += STEP_MILLIS;
    s = tick(s);
    healthyWindow();
    now += STEP_MILLIS;
    Transition t = RolloutMachine.tick(s, now, signals);
    assertEquals(Phase.SUCCEEDED, t.state().phase());
    assertEquals(100, t.candidateWeight());
    assertEquals("rollout-promote", t.action());
  }

  @Test
  void candidateErrorsAboveTheLimitAbortAtWeightZeroWithTheFigures() {
    RolloutState s = runningAtStepOne();
    signals.requests(CANDIDATE, 200, 4, 10).requests(BASELINE, 1000, 0, 10);
    now += STEP_MILLIS;
    Transition t = RolloutMachine.tick(s, now, signals);
    assertEquals(Phase.ABORTED, t.state().phase());
    assertEquals(0, t.candidateWeight());
    assertEquals(Verdict.FAIL, t.analysis().verdict());
    assertEquals(200, t.analysis().requests());
    assertEquals(4, t.analysis().errors());
    assertEquals(2.0, t.analysis().errorPercent());
    assertTrue(t.state().reason().contains("error rate 2.00%"), t.state().reason());
  }

  @Test
  void errorsThatMinRequestsCouldNotOutweighFailEvenBelowMinRequests() {
    RolloutState s = runningAtStepOne();
    signals.requests(CANDIDATE, 20, 5, 10).requests(BASELINE, 1000, 0, 10);
    now += STEP_MILLIS;
    Transition t = RolloutMachine.tick(s, now, signals);
    assertEquals(Verdict.FAIL, t.analysis().verdict());
    assertEquals(Phase.ABORTED, t.state().phase());
  }

  @Test
  void aCandidateSlowerThanTheBaselineOverTheSameWindowFails() {
    RolloutState s = runningAtStepOne();
    signals.requests(CANDIDATE, 200, 0, 40).requests(BASELINE, 1000, 0, 20);
    now += STEP_MILLIS;
    Transition t = RolloutMachine.tick(s, now, signals);
    assertEquals(Verdict.FAIL, t.analysis().verdict());
    assertEquals(2.0, t.analysis().p99Ratio(), 0.1);
    assertTrue(t.state().reason().contains("maxP99Ratio"), t.state().reason());
  }

  @Test
  void latencyBeforeTheWindowDoesNotCount() {
    signals.requests(
        BASELINE, 1000, 0, 100); // slow baseline before the rollout: would hide a slow candidate
    RolloutState s = runningAtStepOne();
    signals.requests(CANDIDATE, 200, 0, 40).requests(BASELINE, 1000, 0, 20);
    now += STEP_MILLIS;
    assertEquals(Verdict.FAIL, RolloutMachine.tick(s, now, signals).analysis().verdict());
  }

  @Test
  void shadowAgreementBelowTheMinimumFails() {
    signals.compared(50, 50);
    RolloutState s = tick(apply(RolloutMachine.start(CONFIG, "alice")));
    signals.requests(BASELINE, 100, 0, 10).compared(50, 50);
    s = tick(s);
    assertEquals(Phase.RUNNING, s.phase());
    healthyWindow();
    signals.compared(200, 180);
    now += STEP_MILLIS;
    Transition t = RolloutMachine.tick(s, now, signals);
    assertEquals(Verdict.FAIL, t.analysis().verdict());
    assertEquals(90.0, t.analysis().agreementPercent());
    assertEquals(200L, t.analysis().shadowCompared());
  }

  @Test
  void tooFewCandidateRequestsIsInconclusiveAndTheStepIsHeldAnotherWindow() {
    RolloutState s = runningAtStepOne();
    signals.requests(CANDIDATE, 50, 0, 10).requests(BASELINE, 1000, 0, 10);
    now += STEP_MILLIS;
    Transition t = RolloutMachine.tick(s, now, signals);
    assertEquals(Verdict.INCONCLUSIVE, t.analysis().verdict());
    assertEquals(Phase.RUNNING, t.state().phase());
    assertEquals(1, t.state().step());
    assertNull(t.candidateWeight());
    s = apply(t);
    // The window grows: the next 50 make a verdict at the end of the second window.
    signals.requests(CANDIDATE, 50, 0, 10);
    now += STEP_MILLIS - 1;
    assertNull(RolloutMachine.tick(s, now, signals));
    now += 1;
    assertEquals(Verdict.PASS, RolloutMachine.tick(s, now, signals).analysis().verdict());
  }

  @Test
  void aBaselineWithTooFewRequestsForAP99IsInconclusive() {
    RolloutState s = runningAtStepOne();
    signals.requests(CANDIDATE, 200, 0, 10).requests(BASELINE, 99, 0, 10);
    now += STEP_MILLIS;
    Analysis a = RolloutMachine.tick(s, now, signals).analysis();
    assertEquals(Verdict.INCONCLUSIVE, a.verdict());
    assertNull(a.p99Ratio());
    assertTrue(a.reason().contains("baseline requests 99"), a.reason());
  }

  @Test
  void maxInconclusiveWindowsInARowPauseTheRolloutForAHuman() {
    RolloutState s = runningAtStepOne();
    for (int i = 1; i <= 2; i++) {
      now += STEP_MILLIS;
      s = tick(s);
      assertEquals(Phase.RUNNING, s.phase());
      assertEquals(i, s.inconclusive());
    }
    now += STEP_MILLIS;
    Transition t = RolloutMachine.tick(s, now, signals);
    assertEquals(Phase.PAUSED, t.state().phase());
    assertEquals(Phase.RUNNING, t.state().resumeTo());
    assertNull(t.candidateWeight());
    assertTrue(t.state().reason().contains("3 inconclusive windows"), t.state().reason());
  }

  @Test
  void resumeHoldsTheStepAfreshAndPutsItsWeightBack() {
    RolloutState s = apply(RolloutMachine.pause(runningAtStepOne(), "bob"));
    signals.weights.put(CANDIDATE, 0); // someone moved it meanwhile
    Transition t = RolloutMachine.resume(s, "bob");
    assertEquals(Phase.RUNNING, t.state().phase());
    assertEquals(10, t.candidateWeight());
    s = apply(t);
    s = tick(s); // the window starts at the first tick after resuming
    healthyWindow();
    now += STEP_MILLIS - 1;
    assertNull(RolloutMachine.tick(s, now, signals));
    now += 1;
    assertEquals(2, RolloutMachine.tick(s, now, signals).state().step());
  }

  @Test
  void aCandidateWithNoReadyEndpointLeftGoesBackToWarmingAtWeightZero() {
    RolloutState s = runningAtStepOne();
    signals.readiness.put(CANDIDATE, Signals.Readiness.NONE);
    now += 1000;
    Transition t = RolloutMachine.tick(s, now, signals);
    assertEquals(Phase.WARMING, t.state().phase());
    assertEquals(0, t.candidateWeight());
    s = apply(t);
    signals.readiness.put(CANDIDATE, Signals.Readiness.ALL);
    s = tick(s);
    assertEquals(Phase.RUNNING, s.phase());
    assertEquals(1, s.step());
    assertEquals(10, signals.weight(CANDIDATE));
  }

  @Test
  void aCandidateWeightChangedOutsideTheRolloutPausesIt() {
    RolloutState s = runningAtStepOne();
    signals.weights.put(CANDIDATE, 30);
    now += 1000;
    Transition t = RolloutMachine.tick(s, now, signals);
    assertEquals(Phase.PAUSED, t.state().phase());
    assertNull(t.candidateWeight());
    assertTrue(t.state().reason().contains("expected 10 at step 1, is 30"), t.state().reason());
  }

  @Test
  void abortSetsTheCandidateWeightToZeroFromEveryActivePhase() {
    RolloutState warming = apply(RolloutMachine.start(CONFIG, "alice"));
    RolloutState running = runningAtStepOne();
    RolloutState paused = RolloutMachine.pause(running, "bob").state();
    for (RolloutState s : List.of(warming, running, paused)) {
      Transition t = RolloutMachine.abort(s, "carol");
      assertEquals(Phase.ABORTED, t.state().phase());
      assertEquals(0, t.candidateWeight());
      assertEquals("aborted by carol; canary weight 0", t.state().reason());
    }
  }

  @Test
  void aFinishedRolloutCannotBePausedResumedOrAborted() {
    RolloutState aborted = RolloutMachine.abort(runningAtStepOne(), "carol").state();
    assertThrows(IllegalStateException.class, () -> RolloutMachine.pause(aborted, "bob"));
    assertThrows(IllegalStateException.class, () -> RolloutMachine.resume(aborted, "bob"));
    assertThrows(IllegalStateException.class, () -> RolloutMachine.abort(aborted, "bob"));
  }

  @Test
  void aSavedRolloutResumesAtItsStepAndHoldsItAfresh() {
    RolloutState s = runningAtStepOne();
    healthyWindow();
    now += STEP_MILLIS;
    s = tick(s);
    RolloutState restored =
        RolloutState.fromJson(new io.vertx.core.json.JsonObject(s.toJson().encode()), "rollout");
    assertEquals(Phase.RUNNING, restored.phase());
    assertEquals(2, restored.step());
    assertEquals(1, restored.analyses().size());
    assertNull(restored.marks());
    now += 5_000;
    restored = tick(restored);
    assertNotNull(restored.marks());
    assertEquals(now + STEP_MILLIS, restored.windowEndsMillis());
  }
}
