package dev.infergate.router.auth;

import com.nimbusds.jose.jwk.JWKSet;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Verified tokens by the SHA-256 of the token, until their {@code exp}, so the hot path repeats no
 * signature check. Bounded: when full, expired entries go first, then everything (a full cache
 * under a flood of distinct tokens is cheaper to restart than to order). A key leaving the JWKS
 * drops every entry it signed. Thread-safe and non-blocking.
 */
public final class VerifiedTokenCache {
  private final int capacity;
  private final LongSupplier clockMillis;
  private final Map<String, TokenVerifier.Verified> entries = new ConcurrentHashMap<>();

  public VerifiedTokenCache(int capacity, LongSupplier clockMillis) {
    this.capacity = capacity;
    this.clockMillis = clockMillis;
  }

  /** The cached verification of {@code token}, or null when absent or expired. */
  public TokenVerifier.Verified get(String token) {
    String key = digest(token);
    TokenVerifier.Verified verified = entries.get(key);
    if (verified == null) {
      return null;
    }
    if (verified.expiresAtMillis() <= clockMillis.getAsLong()) {
      entries.remove(key);
      return null;
    }
    return verified;
  }

  public void put(String token, TokenVerifier.Verified verified) {
    if (entries.size() >= capacity) {
      long now = clockMillis.getAsLong();
      entries.values().removeIf(entry -> entry.expiresAtMillis() <= now);
      if (entries.size() >= capacity) {
        entries.clear();
      }
    }
    entries.put(digest(token), verified);
  }

  /** Drops what was signed by keys no longer in {@code keys}, and tokens that named no key. */
  public void retainKeysOf(JWKSet keys) {
    entries
        .values()
        .removeIf(entry -> entry.keyId() == null || keys.getKeyByKeyId(entry.keyId()) == null);
  }

  public int size() {
    return entries.size();
  }

  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(
          () -> {
            try {
              return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
              throw new IllegalStateException("SHA-256 is required by every JVM", e);
            }
          });

  private static String digest(String token) {
    byte[] hash = SHA256.get().digest(token.getBytes(StandardCharsets.US_ASCII));
    return Base64.getEncoder().encodeToString(hash);
  }
}
