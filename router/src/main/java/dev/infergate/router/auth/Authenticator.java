package dev.infergate.router.auth;

import dev.infergate.router.config.AuthConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Turns an {@code Authorization} header into a {@link Consumer}. Cached tokens are answered on the
 * calling event loop; others are verified on a worker thread. Owns the key set's periodic refresh.
 */
public final class Authenticator implements AutoCloseable {
  private static final String BEARER = "Bearer ";

  /** Enough for every active consumer's token; each entry is ~200 bytes. */
  private static final int CACHE_CAPACITY = 100_000;

  /** Verifications queued or running on workers at once, across the router. */
  static final int MAX_CONCURRENT_VERIFICATIONS = 512;

  private final java.util.concurrent.atomic.AtomicInteger verifying =
      new java.util.concurrent.atomic.AtomicInteger();

  private final Vertx vertx;
  private final AuthConfig config;
  private final KeySet keys;
  private final TokenVerifier verifier;
  private final VerifiedTokenCache cache;
  private final RecentTokens recent;
  private final long refreshTimer;

  private Authenticator(Vertx vertx, AuthConfig config, KeySet keys, byte[] hmacSecret) {
    this.vertx = vertx;
    this.config = config;
    this.keys = keys;
    this.verifier = new TokenVerifier(config, keys, hmacSecret);
    this.cache = new VerifiedTokenCache(CACHE_CAPACITY, System::currentTimeMillis);
    this.recent = new RecentTokens(System::currentTimeMillis);
    keys.onChange(
        set -> {
          recent.invalidateAll();
          cache.retainKeysOf(set);
        });
    // Files are cheap to check often; remote issuers are refetched on the configured interval.
    long intervalMillis = config.jwksIsFile() ? 1_000 : config.jwksRefreshSeconds() * 1_000;
    this.refreshTimer =
        vertx.setPeriodic(intervalMillis, id -> vertx.executeBlocking(keys::refresh, false));
  }

  /** Loads the key set (blocking: call at start-up, off the event loop); fails if it cannot. */
  public static Authenticator create(Vertx vertx, AuthConfig config) throws IOException {
    KeySet keys = new KeySet(config.jwks(), System::currentTimeMillis);
    keys.loadInitial();
    byte[] secret =
        config.hmacSecretFile() == null
            ? null
            : Files.readString(Path.of(config.hmacSecretFile()))
                .strip()
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    if (secret != null && secret.length < 32) {
      throw new IOException(config.hmacSecretFile() + ": an HS256 secret needs at least 32 bytes");
    }
    return new Authenticator(vertx, config, keys, secret);
  }

  public AuthConfig config() {
    return config;
  }

  /**
   * The consumer of an already verified, unexpired token, or null: then call {@link #authenticate}.
   * The hot path: this event loop's recent tokens first, then the shared cache; no future. Call on
   * the thread that will use the answer (the per-thread memo is filled on a shared-cache hit).
   */
  public Consumer cachedConsumer(String authorization) {
    if (authorization == null
        || authorization.length() <= BEARER.length()
        || authorization.length() - BEARER.length() > config.maxTokenBytes()
        || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return null;
    }
    Consumer consumer = recent.get(authorization);
    if (consumer != null) {
      return consumer;
    }
    TokenVerifier.Verified cached = cache.get(bearerToken(authorization));
    if (cached == null) {
      return null;
    }
    recent.put(authorization, cached);
    return cached.consumer();
  }

  /** The cached consumer, else {@link #verify}. */
  public Future<Consumer> authenticate(String authorization) {
    Consumer cached = cachedConsumer(authorization);
    return cached != null ? Future.succeededFuture(cached) : verify(authorization);
  }

  /**
   * Verifies the token on a worker thread, without looking in the caches (call it when {@link
   * #cachedConsumer} found nothing). Fails with {@link InvalidTokenException} (answer 401) for a
   * missing, oversized or invalid token, {@link VerificationBusyException} (503) under a flood.
   */
  public Future<Consumer> verify(String authorization) {
    if (authorization == null
        || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return Future.failedFuture(new InvalidTokenException("missing bearer token"));
    }
    if (authorization.length() - BEARER.length() > config.maxTokenBytes()) {
      return Future.failedFuture(new InvalidTokenException("token too large"));
    }
    String token = bearerToken(authorization);
    // Signature checks cost ~0.1 ms of a worker each; a flood of fresh (forged) tokens must not
    // queue without bound behind them.
    if (verifying.incrementAndGet() > MAX_CONCURRENT_VERIFICATIONS) {
      verifying.decrementAndGet();
      return Future.failedFuture(new VerificationBusyException());
    }
    return vertx
        .<Consumer>executeBlocking(
            () -> {
              TokenVerifier.Verified verified = verifier.verify(token);
              cache.put(token, verified);
              return verified.consumer();
            },
            false)
        .andThen(ar -> verifying.decrementAndGet());
  }

  private static String bearerToken(String authorization) {
    return authorization.substring(BEARER.length()).trim();
  }

  /** Too many tokens are being verified at once: answer 503 and let the client retry. */
  public static final class VerificationBusyException extends Exception {
    VerificationBusyException() {
      super("too many token verifications in progress", null, false, false);
    }
  }

  @Override
  public void close() {
    vertx.cancelTimer(refreshTimer);
  }
}
