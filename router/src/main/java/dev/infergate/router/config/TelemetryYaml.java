package dev.infergate.router.config;

import dev.infergate.telemetry.LogFormat;
import dev.infergate.telemetry.TracingConfig;
import java.util.Set;

/** Reads {@code logFormat} and {@code tracing} of router.yaml. */
final class TelemetryYaml {
  private TelemetryYaml() {}

  static LogFormat logFormat(YamlMap root) throws ConfigException {
    if (!root.has("logFormat")) {
      return LogFormat.DEFAULT;
    }
    try {
      return LogFormat.parse(root.field("logFormat"), root.string("logFormat", null));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
  }

  static TracingConfig tracing(YamlMap root) throws ConfigException {
    if (!root.has("tracing")) {
      return TracingConfig.OFF;
    }
    YamlMap t = root.map("tracing");
    t.rejectUnknown(Set.of("otlpEndpoint", "sampleRatio"));
    try {
      return new TracingConfig(
          t.optionalString("otlpEndpoint"),
          t.decimal("sampleRatio", TracingConfig.DEFAULT_SAMPLE_RATIO, 0, 1));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
  }
}
