package dev.infergate.router.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RetryBudgetTest {
  @Test
  void allowsMinConcurrentRetriesWhateverTheLoad() {
    RetryBudget b = new RetryBudget(20, 3);
    b.requestStarted();
    assertTrue(b.tryStartRetry());
    assertTrue(b.tryStartRetry());
    assertTrue(b.tryStartRetry());
    assertFalse(b.tryStartRetry());
    b.retryEnded();
    assertTrue(b.tryStartRetry());
  }

  @Test
  void allowsPercentOfInFlightRequestsAboveTheFloor() {
    RetryBudget b = new RetryBudget(20, 1);
    for (int i = 0; i < 50; i++) {
      b.requestStarted();
    }
    int allowed = 0;
    while (b.tryStartRetry()) {
      allowed++;
    }
    assertEquals(10, allowed);
    for (int i = 0; i < 50; i++) {
      b.requestEnded();
    }
    assertEquals(0, b.requestsInFlight());
    assertEquals(10, b.retriesInFlight());
  }

  @Test
  void zeroBudgetAndZeroFloorMeansNoRetries() {
    RetryBudget b = new RetryBudget(0, 0);
    b.requestStarted();
    assertFalse(b.tryStartRetry());
  }
}
