package dev.infergate.router.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RecentTokensTest {
  private final AtomicLong clock = new AtomicLong(1_000);
  private final RecentTokens recent = new RecentTokens(clock::get);
  private final Consumer alice = new Consumer("alice", null, Set.of());

  @Test
  void answersARepeatUntilTheTokenExpires() {
    recent.put("Bearer a", new TokenVerifier.Verified(alice, 2_000, "k1"));
    assertEquals(alice, recent.get("Bearer a"));
    assertNull(recent.get("Bearer b"));
    clock.set(2_000);
    assertNull(recent.get("Bearer a"), "expired with its token");
  }

  @Test
  void aKeySetChangeDropsEveryEntry() {
    recent.put("Bearer a", new TokenVerifier.Verified(alice, 9_000, "k1"));
    recent.invalidateAll();
    assertNull(recent.get("Bearer a"));
  }

  @Test
  void aKeySetChangeDropsTheEntryJustAnsweredToo() {
    recent.put("Bearer a", new TokenVerifier.Verified(alice, 9_000, "k1"));
    assertEquals(alice, recent.get("Bearer a"));
    assertEquals(alice, recent.get("Bearer a"), "a repeat of the last value");
    recent.invalidateAll();
    assertNull(recent.get("Bearer a"), "the last value answered is dropped with the rest");
  }

  @Test
  void aTokenVerifiedAgainReplacesTheOneJustAnswered() {
    Consumer bob = new Consumer("bob", null, Set.of());
    recent.put("Bearer a", new TokenVerifier.Verified(alice, 1_500, "k1"));
    assertEquals(alice, recent.get("Bearer a"));
    recent.put("Bearer a", new TokenVerifier.Verified(bob, 9_000, "k1"));
    clock.set(2_000);
    assertEquals(bob, recent.get("Bearer a"), "the new entry, not the expired one last answered");
  }

  @Test
  void isBoundedPerThread() {
    for (int i = 0; i <= RecentTokens.CAPACITY_PER_THREAD; i++) {
      recent.put("Bearer " + i, new TokenVerifier.Verified(alice, 9_000, "k1"));
    }
    assertNull(recent.get("Bearer 0"), "the least recently used entry went first");
    assertEquals(alice, recent.get("Bearer " + RecentTokens.CAPACITY_PER_THREAD));
  }
}
