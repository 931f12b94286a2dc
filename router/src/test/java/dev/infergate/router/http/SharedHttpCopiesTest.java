package dev.infergate.router.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The connection-level classes (read deadlines, connection cap, client framing) exist once per module (no shared code module): the copies must not drift. */
class SharedHttpCopiesTest {
  @ParameterizedTest
  @ValueSource(strings = {"ReadDeadlines.java", "ConnectionGuard.java", "ClientFraming.java"})
  void modelServerCopyIsIdenticalButForThePackage(String file) throws IOException {
    Path router = Path.of("src/main/java/dev/infergate/router/http", file);
    Path modelServer = Path.of("../model-server/src/main/java/dev/infergate/modelserver/http", file);
    assertEquals(withoutPackage(router), withoutPackage(modelServer), file);
  }

  private static String withoutPackage(Path file) throws IOException {
    return Files.readString(file).replaceFirst("package [a-z.]+;", "");
  }
}
