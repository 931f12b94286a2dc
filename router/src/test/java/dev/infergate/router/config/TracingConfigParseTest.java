package dev.infergate.router.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.router.testsupport.ServiceYaml;
import dev.infergate.telemetry.TracingConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code tracing:} in router.yaml: parsed, validated, off by default, and restart-only. */
class TracingConfigParseTest {
  private static final ServiceYaml IRIS =
      new ServiceYaml("iris").track("stable", 100, "1", "http://127.0.0.1:9001");

  private static RouterConfig parse(String extra) throws ConfigException {
    return ConfigParser.parse(ServiceYaml.configWith(extra, IRIS), Map.of());
  }

  @Test
  void tracingIsOffWithoutTheBlockAndParsedWithIt() throws Exception {
    assertSame(TracingConfig.OFF, parse("").tracing());
    RouterConfig on = parse("tracing: { otlpEndpoint: http://jaeger:4318, sampleRatio: 0.5 }\n");
    assertEquals(new TracingConfig("http://jaeger:4318", 0.5), on.tracing());
  }

  @Test
  void aBadEndpointARatioOutOfRangeOrAnUnknownKeyIsRefusedNamingTheField() {
    ConfigException url =
        assertThrows(ConfigException.class, () -> parse("tracing: { otlpEndpoint: jaeger }\n"));
    assertTrue(
        url.getMessage().contains("tracing.otlpEndpoint") && url.getMessage().contains("jaeger"),
        url.getMessage());
    ConfigException ratio =
        assertThrows(
            ConfigException.class,
            () -> parse("tracing: { otlpEndpoint: http://j:4318, sampleRatio: 2 }\n"));
    assertTrue(ratio.getMessage().contains("tracing.sampleRatio"), ratio.getMessage());
    ConfigException unknown =
        assertThrows(
            ConfigException.class,
            () -> parse("tracing: { otlpEndpoint: http://j:4318, endpoint: x }\n"));
    assertTrue(unknown.getMessage().contains("endpoint"), unknown.getMessage());
  }

  @Test
  void aReloadKeepsTheRunningTracing() throws Exception {
    RouterConfig running = parse("");
    RouterConfig reloaded =
        parse("tracing: { otlpEndpoint: http://jaeger:4318 }\n").reloadedOver(running);
    assertSame(TracingConfig.OFF, reloaded.tracing());
  }
}
