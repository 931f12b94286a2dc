package dev.infergate.router.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.text.ParseException;
import java.util.UUID;

/**
 * The local development signing key: an EC P-256 key made on first use in a git-ignored state
 * folder ({@code signing-key.json}, owner-only), with its public half as {@code jwks.json} for the
 * router's {@code auth.jwks: file:...}. Never for production: real issuers keep their own keys.
 */
public final class DevKeys {
  public static final String PRIVATE_KEY_FILE = "signing-key.json";
  public static final String JWKS_FILE = "jwks.json";

  private DevKeys() {}

  /** Loads the key in {@code dir}, creating it (and the JWKS) when absent. */
  public static ECKey loadOrCreate(Path dir) throws IOException {
    Path privateFile = dir.resolve(PRIVATE_KEY_FILE);
    try {
      if (Files.exists(privateFile)) {
        ECKey key = ECKey.parse(Files.readString(privateFile));
        writeJwks(dir, key);
        return key;
      }
      if (Files.exists(dir.resolve(JWKS_FILE))) {
        throw new IOException(
            dir.resolve(JWKS_FILE)
                + " exists but no dev signing key is beside it; the token "
                + "command signs only with a dev key it made itself, and will not replace a key set it did not make");
      }
      ECKey key =
          new ECKeyGenerator(Curve.P_256)
              .keyUse(KeyUse.SIGNATURE)
              .keyID("dev-" + UUID.randomUUID().toString().substring(0, 8))
              .generate();
      Files.createDirectories(dir);
      Files.writeString(privateFile, key.toJSONString());
      try {
        Files.setPosixFilePermissions(privateFile, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException ignored) {
        // not a POSIX file system; the folder is git-ignored either way
      }
      writeJwks(dir, key);
      return key;
    } catch (ParseException | JOSEException e) {
      throw new IOException("cannot read or make the dev key in " + dir + ": " + e.getMessage(), e);
    }
  }

  private static void writeJwks(Path dir, ECKey key) throws IOException {
    Path jwks = dir.resolve(JWKS_FILE);
    String text = new JWKSet(key.toPublicJWK()).toString(true);
    if (!Files.exists(jwks) || !Files.readString(jwks).equals(text)) {
      Files.writeString(jwks, text);
    }
  }
}
