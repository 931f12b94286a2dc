package dev.infergate.modelserver.config;

import dev.infergate.telemetry.LogFormat;
import dev.infergate.telemetry.TracingConfig;
import java.util.Set;

/** Reads {@code logFormat} and {@code tracing: { otlpEndpoint, sampleRatio }} from model-server.yaml. */
final class TelemetryYaml {
  private static final Set<String> TRACING_KEYS = Set.of("otlpEndpoint", "sampleRatio");

  private TelemetryYaml() {}

  static LogFormat logFormat(ConfigNode root) {
    try {
      return root.has("logFormat") ? LogFormat.parse(root.qualify("logFormat"), root.stringValue("logFormat", null))
          : LogFormat.DEFAULT;
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
  }

  static TracingConfig tracing(ConfigNode root) {
    if (!root.has("tracing")) {
      return TracingConfig.OFF;
    }
    ConfigNode tracing = root.child("tracing");
    tracing.rejectUnknownKeys(TRACING_KEYS);
    String ratio = tracing.stringValue("sampleRatio", String.valueOf(TracingConfig.DEFAULT_SAMPLE_RATIO));
    try {
      return new TracingConfig(tracing.stringValue("otlpEndpoint", null), Double.parseDouble(ratio));
    } catch (NumberFormatException e) {
      throw new ConfigException("tracing.sampleRatio must be a number in [0, 1], was " + ratio);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
  }
}
