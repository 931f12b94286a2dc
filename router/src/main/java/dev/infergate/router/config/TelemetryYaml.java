package dev.infergate.router.config;

import dev.infergate.telemetry.LogFormat;

/** Reads {@code logFormat} of router.yaml. */
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
}
