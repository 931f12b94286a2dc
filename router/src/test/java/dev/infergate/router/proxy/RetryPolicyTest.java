package dev.infergate.router.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.infergate.router.proxy.RetryPolicy.Decision;
import dev.infergate.router.proxy.RetryPolicy.Next;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The retry decision as a table (DESIGN.md "Router request pipeline", step 7). Each row: how the
 * try ended, attempts used of 3, time left, whether the budget has a slot, where the next endpoint
 * would come from; the decision, the reason, and which of the two side-effecting questions (budget
 * slot, endpoint pick) the policy asked.
 */
class RetryPolicyTest {
  private static final int ATTEMPTS = 3;

  /** Options with fixed answers that remember what they were asked. */
  private static final class Answers implements RetryPolicy.Options {
    final boolean budget;
    final Next next;
    boolean askedBudget;
    boolean askedPick;

    Answers(boolean budget, Next next) {
      this.budget = budget;
      this.next = next;
    }

    @Override
    public boolean takeRetrySlot() {
      askedBudget = true;
      return budget;
    }

    @Override
    public Next pickNext() {
      askedPick = true;
      return next;
    }
  }

  @ParameterizedTest(name = "{0} used={1} left={2}ms budget={3} next={4} -> {5} ({6})")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      # outcome   | used | left | budget | next       | decision   | reason                   | asks budget | asks pick
      # a refused connect never reached a server: retried whatever attempts and budget say
      REFUSED     | 3    | 500  | false  | SAME_TRACK | RETRY      | REFUSED                  | false       | true
      REFUSED     | 0    | 500  | false  | FALLBACK   | FAIL_OVER  | REFUSED                  | false       | true
      REFUSED     | 1    | 500  | true   | NONE       | ANSWER_503 | no endpoint left to try  | false       | true
      REFUSED     | 1    | 0    | true   | SAME_TRACK | ANSWER_503 | timeoutMillis reached    | false       | false
      # a reset: retried within attempts and budget, on the same track, then the fallback
      RESET       | 1    | 500  | true   | SAME_TRACK | RETRY      | RESET                    | true        | true
      RESET       | 1    | 500  | true   | FALLBACK   | FAIL_OVER  | RESET                    | true        | true
      RESET       | 1    | 500  | true   | NONE       | ANSWER_503 | no endpoint left to try  | true        | true
      RESET       | 1    | 500  | false  | SAME_TRACK | ANSWER_503 | retry budget exhausted   | true        | false
      RESET       | 3    | 500  | true   | SAME_TRACK | ANSWER_503 | retry.attempts=3 used    | false       | false
      RESET       | 1    | -1   | true   | SAME_TRACK | ANSWER_503 | timeoutMillis reached    | false       | false
      # a 5xx (but 501) is retried like a reset; with no retry left it is passed on as it came
      STATUS_5XX  | 1    | 500  | true   | SAME_TRACK | RETRY      | STATUS_5XX               | true        | true
      STATUS_5XX  | 2    | 500  | true   | FALLBACK   | FAIL_OVER  | STATUS_5XX               | true        | true
      STATUS_5XX  | 1    | 500  | false  | SAME_TRACK | RELAY      | retry budget exhausted   | true        | false
      STATUS_5XX  | 3    | 500  | true   | SAME_TRACK | RELAY      | retry.attempts=3 used    | false       | false
      STATUS_5XX  | 1    | 500  | true   | NONE       | RELAY      | no endpoint left to try  | true        | true
      STATUS_5XX  | 1    | 0    | true   | SAME_TRACK | RELAY      | timeoutMillis reached    | false       | false
      # a per-try timeout is retried; with no retry left it answers 504
      TRY_TIMEOUT | 1    | 500  | true   | SAME_TRACK | RETRY      | TRY_TIMEOUT              | true        | true
      TRY_TIMEOUT | 3    | 500  | true   | SAME_TRACK | ANSWER_504 | retry.attempts=3 used    | false       | false
      TRY_TIMEOUT | 1    | 500  | false  | SAME_TRACK | ANSWER_504 | retry budget exhausted   | true        | false
      TRY_TIMEOUT | 1    | 500  | true   | NONE       | ANSWER_504 | no endpoint left to try  | true        | true
      TRY_TIMEOUT | 1    | 0    | true   | SAME_TRACK | ANSWER_504 | timeoutMillis reached    | false       | false
      # an answer is passed on; the request's own timeout is a 504; neither asks for anything
      ANSWERED    | 1    | 500  | true   | SAME_TRACK | RELAY      | answered                 | false       | false
      OVERALL_TIMEOUT | 1 | 0   | true   | SAME_TRACK | ANSWER_504 | timeoutMillis reached    | false       | false
      """)
  void decides(
      TryOutcome outcome,
      int used,
      long left,
      boolean budget,
      Next next,
      Decision decision,
      String reason,
      boolean asksBudget,
      boolean asksPick) {
    Answers answers = new Answers(budget, next);
    RetryPolicy.Verdict verdict = RetryPolicy.decide(outcome, used, ATTEMPTS, left, answers);
    assertEquals(decision, verdict.decision());
    assertEquals(reason, verdict.reason());
    assertEquals(asksBudget, answers.askedBudget, "asked the budget for a slot");
    assertEquals(asksPick, answers.askedPick, "picked (reserved) an endpoint");
  }

  @Test
  void aClientThatLeftIsNotAQuestionForThePolicy() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            RetryPolicy.decide(
                TryOutcome.CLIENT_GONE, 1, ATTEMPTS, 500, new Answers(true, Next.SAME_TRACK)));
  }
}
