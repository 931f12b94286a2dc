package dev.infergate.router.auth;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * The current JWKS, from a file ({@code file:PATH}) or an issuer URL. {@link #refresh} re-reads it
 * and keeps the last good set when the source is down or serves garbage. Refreshes triggered by an
 * unknown {@code kid} are limited to one per {@link #MIN_UNKNOWN_KID_REFETCH_MILLIS}, so forged
 * {@code kid}s cannot hammer the issuer. Reads are lock-free; refreshes block (worker threads
 * only).
 */
public final class KeySet {
  private static final Logger LOG = Logger.getLogger(KeySet.class.getName());
  public static final long MIN_UNKNOWN_KID_REFETCH_MILLIS = 5_000;
  private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(5);

  private final String location;
  private final LongSupplier clockMillis;
  private final HttpClient http;
  private final List<java.util.function.Consumer<JWKSet>> listeners = new CopyOnWriteArrayList<>();
  private volatile JWKSet current = new JWKSet();
  private String lastFileText;
  private long lastUnknownKidRefetch = Long.MIN_VALUE / 2;

  public KeySet(String location, LongSupplier clockMillis) {
    this.location = location;
    this.clockMillis = clockMillis;
    this.http =
        location.startsWith("file:")
            ? null
            : HttpClient.newBuilder()
                .connectTimeout(FETCH_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
  }

  public JWKSet current() {
    return current;
  }

  public boolean contains(String kid) {
    return kid != null && current.getKeyByKeyId(kid) != null;
  }

  /**
   * Called with the new set after every change, e.g. to drop cached verifications of removed keys.
   */
  public void onChange(java.util.function.Consumer<JWKSet> listener) {
    listeners.add(listener);
  }

  /** Loads the set at start; unlike later refreshes, a failure here is fatal. */
  public void loadInitial() throws IOException {
    if (!refresh()) {
      String hint =
          location.startsWith("file:")
                  && !java.nio.file.Files.exists(java.nio.file.Path.of(location.substring(5)))
              ? " (no such file; for a local dev key run: java -jar router/target/router.jar token --sub you)"
              : "";
      throw new IOException("cannot load the JWKS from " + location + hint);
    }
  }

  /**
   * Re-reads the source (a file only when it changed). Returns true when a set is in place after
   * the call; on failure the last good set stays and a warning is logged. Blocking.
   */
  public synchronized boolean refresh() {
    try {
      String text = read();
      if (text == null) {
        return true;
      }
      JWKSet parsed = JWKSet.parse(text);
      JWKSet loaded = parsed.toPublicJWKSet();
      if (!loaded.getKeys().equals(parsed.getKeys())) {
        LOG.warning("JWKS at " + location + " holds private keys; only the public parts are used");
      }
      if (!sameKeys(loaded, current)) {
        current = loaded;
        LOG.info(
            "JWKS from " + location + ": " + loaded.getKeys().size() + " keys " + keyIds(loaded));
        listeners.forEach(listener -> listener.accept(loaded));
      }
      return true;
    } catch (IOException | ParseException | RuntimeException e) {
      LOG.warning(
          "cannot refresh the JWKS from "
              + location
              + " (keeping the last good set of "
              + current.getKeys().size()
              + " keys): "
              + e.getMessage());
      return !current.getKeys().isEmpty();
    }
  }

  /**
   * A token named a {@code kid} we do not have: maybe the issuer rotated keys. Refetches at once,
   * unless another such refetch happened in the last few seconds. Returns true if it refetched.
   */
  public boolean refreshForUnknownKid(String kid) {
    synchronized (this) {
      long now = clockMillis.getAsLong();
      if (now - lastUnknownKidRefetch < MIN_UNKNOWN_KID_REFETCH_MILLIS) {
        return false;
      }
      lastUnknownKidRefetch = now;
    }
    refresh();
    return contains(kid);
  }

  private String read() throws IOException {
    if (location.startsWith("file:")) {
      // Read and compare whole: a JWKS is small, and mtimes can miss two writes in one tick.
      String text = Files.readString(Path.of(location.substring("file:".length())));
      if (text.equals(lastFileText)) {
        return null;
      }
      lastFileText = text;
      return text;
    }
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(location))
            .timeout(FETCH_TIMEOUT)
            .header("accept", "application/json")
            .GET()
            .build();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IOException("HTTP " + response.statusCode());
      }
      return response.body();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  private static boolean sameKeys(JWKSet a, JWKSet b) {
    return Objects.equals(a.getKeys(), b.getKeys());
  }

  private static List<String> keyIds(JWKSet set) {
    return set.getKeys().stream().map(JWK::getKeyID).map(String::valueOf).toList();
  }
}
