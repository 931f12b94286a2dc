package dev.infergate.modelserver.config;

import dev.infergate.telemetry.LogFormat;
import dev.infergate.telemetry.TracingConfig;
import java.util.Set;

/** Reads {@code logFormat} and {@code tracing} from model-server.yaml. */
final class TelemetryYaml {
  private TelemetryYaml() {}

  static LogFormat logFormat(ConfigNode root) {
    try {
      return root.has("logFormat")
          ? LogFormat.parse(root.qualify("logFormat"), root.stringValue("logFormat", null))
          : LogFormat.DEFAULT;
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
  }

  static TracingConfig tracing(ConfigNode root) {
    ConfigNode t = root.child("tracing");
    t.rejectUnknownKeys(Set.of("otlpEndpoint", "sampleRatio"));
    if (!t.has("otlpEndpoint") && !t.has("sampleRatio")) {
      return TracingConfig.OFF;
    }
    String ratio = t.stringValue("sampleRatio", null);
    double r;
    try {
      r = ratio == null ? TracingConfig.DEFAULT_SAMPLE_RATIO : Double.parseDouble(ratio.trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(t.qualify("sampleRatio") + ": must be a number 0..1, was " + ratio);
    }
    try {
      return new TracingConfig(t.stringValue("otlpEndpoint", null), r);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
  }
}
