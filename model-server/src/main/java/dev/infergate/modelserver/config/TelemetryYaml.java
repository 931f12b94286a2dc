package dev.infergate.modelserver.config;

import dev.infergate.telemetry.LogFormat;

/** Reads {@code logFormat} from model-server.yaml. */
final class TelemetryYaml {
  private TelemetryYaml() {}

  static LogFormat logFormat(ConfigNode root) {
    try {
      return root.has("logFormat") ? LogFormat.parse(root.qualify("logFormat"), root.stringValue("logFormat", null))
          : LogFormat.DEFAULT;
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
  }
}
