package dev.infergate.router.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The request pipeline stays on public Vert.x API: Netty and Vert.x internals live behind {@code
 * upstream.http.UpstreamTransport} (and {@code http}), so a Vert.x upgrade that changes them is
 * fixed there, or avoided with {@code upstream.transport: vertx}. Reads the package's sources
 * (until the ArchUnit layering test pins this for every package).
 */
class ProxyLayeringTest {
  private static final Pattern FORBIDDEN =
      Pattern.compile("\\bio\\.netty\\.|\\bio\\.vertx\\.core\\.internal\\.");

  @Test
  void theProxyPackageUsesNoNettyAndNoVertxInternals() throws IOException {
    Path dir = Path.of("src/main/java/dev/infergate/router/proxy");
    assertTrue(Files.isDirectory(dir), "run from the router module: " + dir.toAbsolutePath());
    List<String> offending;
    try (Stream<Path> files = Files.list(dir)) {
      offending =
          files
              .filter(f -> f.toString().endsWith(".java"))
              .filter(
                  f -> {
                    try {
                      return FORBIDDEN.matcher(Files.readString(f)).find();
                    } catch (IOException e) {
                      throw new IllegalStateException(e);
                    }
                  })
              .map(f -> f.getFileName().toString())
              .sorted()
              .toList();
    }
    assertEquals(List.of(), offending);
  }
}
