package dev.infergate.router.config;

import dev.infergate.telemetry.LogFormat;
import dev.infergate.telemetry.TracingConfig;
import java.util.Set;

/** Reads {@code logFormat} and {@code tracing: { otlpEndpoint, sampleRatio }} of router.yaml. */
final class TelemetryYaml {
  private static final Set<String> TRACING_KEYS = Set.of("otlpEndpoint", "sampleRatio");

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
    YamlMap tracing = root.map("tracing");
    tracing.rejectUnknown(TRACING_KEYS);
    double ratio = tracing.decimal("sampleRatio", TracingConfig.DEFAULT_SAMPLE_RATIO, 0, 1);
    try {
      return new TracingConfig(tracing.optionalString("otlpEndpoint"), ratio);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
  }
}
