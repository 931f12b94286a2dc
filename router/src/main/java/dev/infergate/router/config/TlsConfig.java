package dev.infergate.router.config;

import java.util.Set;

/**
 * The {@code tls} block: HTTPS on the public listener from PEM files (e.g. a Kubernetes TLS Secret
 * mount). Both files are read at start; a renewed certificate needs a restart.
 */
public record TlsConfig(String certFile, String keyFile) {
  static final Set<String> KEYS = Set.of("certFile", "keyFile");

  static TlsConfig parse(YamlMap tls) throws ConfigException {
    tls.rejectUnknown(KEYS);
    String cert = tls.optionalString("certFile");
    String key = tls.optionalString("keyFile");
    if (cert == null || key == null) {
      throw new ConfigException(
          tls.path()
              + ": needs both certFile and keyFile (PEM), was certFile="
              + cert
              + ", keyFile="
              + key);
    }
    return new TlsConfig(cert, key);
  }
}
