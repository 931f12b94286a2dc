package dev.infergate.modelserver.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.telemetry.TracingConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tracing:} in model-server.yaml: off by default, parsed, refused naming the field. */
class TracingYamlTest {
  @TempDir Path dir;

  @Test
  void tracingIsOffByDefaultAndParsedWhenSet() throws Exception {
    assertSame(TracingConfig.OFF, load("port: 0\n").tracing());
    assertEquals(
        new TracingConfig("http://jaeger:4318", 0.5),
        load("tracing: { otlpEndpoint: http://jaeger:4318, sampleRatio: 0.5 }\n").tracing());
  }

  @Test
  void aBadEndpointRatioOrKeyIsRefusedNamingTheField() {
    assertTrue(
        assertThrows(ConfigException.class, () -> load("tracing: { otlpEndpoint: jaeger }\n"))
            .getMessage()
            .startsWith("tracing.otlpEndpoint"));
    assertTrue(
        assertThrows(
                ConfigException.class,
                () -> load("tracing: { otlpEndpoint: http://j:4318, sampleRatio: 3 }\n"))
            .getMessage()
            .contains("tracing.sampleRatio"));
    assertTrue(
        assertThrows(
                ConfigException.class,
                () -> load("tracing: { otlpEndpoint: http://j:4318, sampleRatio: often }\n"))
            .getMessage()
            .contains("tracing.sampleRatio"));
    assertThrows(ConfigException.class, () -> load("tracing: { url: http://j:4318 }\n"));
  }

  private ModelServerConfig load(String yaml) throws Exception {
    Path file = dir.resolve("model-server.yaml");
    Files.writeString(file, yaml);
    return ModelServerConfig.load(CommandLine.parse("--config", file.toString()));
  }
}
