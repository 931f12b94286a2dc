package dev.infergate.router.testsupport;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.List;

/**
 * Real key pairs made per test run (RSA 2048, EC P-256), and JWKS files holding their public
 * halves.
 */
public final class TestKeys {
  public final KeyPair pair;
  public final String kid;
  public final boolean ec;

  private TestKeys(KeyPair pair, String kid, boolean ec) {
    this.pair = pair;
    this.kid = kid;
    this.ec = ec;
  }

  public static TestKeys rsa(String kid) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return new TestKeys(generator.generateKeyPair(), kid, false);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public static TestKeys ec(String kid) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return new TestKeys(generator.generateKeyPair(), kid, true);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public JWK publicJwk() {
    return ec
        ? new ECKey.Builder(Curve.P_256, (ECPublicKey) pair.getPublic()).keyID(kid).build()
        : new RSAKey.Builder((RSAPublicKey) pair.getPublic()).keyID(kid).build();
  }

  /** Writes a JWKS of the given keys' public halves to {@code file} (replacing it). */
  public static Path writeJwks(Path file, TestKeys... keys) {
    List<JWK> jwks = java.util.Arrays.stream(keys).map(TestKeys::publicJwk).toList();
    try {
      Files.writeString(file, new JWKSet(jwks).toString(true));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
