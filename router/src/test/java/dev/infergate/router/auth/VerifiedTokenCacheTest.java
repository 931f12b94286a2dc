package dev.infergate.router.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.nimbusds.jose.jwk.JWKSet;
import dev.infergate.router.testsupport.TestKeys;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class VerifiedTokenCacheTest {
  private final AtomicLong now = new AtomicLong(10_000);
  private final VerifiedTokenCache cache = new VerifiedTokenCache(3, now::get);

  private static TokenVerifier.Verified verified(String subject, long exp, String kid) {
    return new TokenVerifier.Verified(new Consumer(subject, null, Set.of()), exp, kid);
  }

  @Test
  void servesATokenUntilItsExpiry() {
    cache.put("t1", verified("a", 20_000, "k1"));
    assertNotNull(cache.get("t1"));
    now.set(20_000);
    assertNull(cache.get("t1"));
  }

  @Test
  void dropsWhatARemovedKeySigned() {
    TestKeys kept = TestKeys.ec("kept");
    cache.put("t1", verified("a", 99_000, "kept"));
    cache.put("t2", verified("b", 99_000, "removed"));
    cache.retainKeysOf(new JWKSet(kept.publicJwk()));
    assertNotNull(cache.get("t1"));
    assertNull(cache.get("t2"));
  }

  @Test
  void staysWithinItsCapacity() {
    for (int i = 0; i < 100; i++) {
      cache.put("token-" + i, verified("s" + i, 99_000, "k"));
    }
    assertEquals(true, cache.size() <= 3);
  }
}
