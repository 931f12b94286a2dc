package dev.infergate.router.config;

import java.util.Objects;

/**
 * Active health check of every endpoint of a service: {@code GET path} every {@code
 * intervalMillis}, each probe given at most {@code timeoutMillis} (no more than the interval).
 * Valid by construction.
 */
public record HealthCheckConfig(String path, long intervalMillis, long timeoutMillis) {
  public HealthCheckConfig {
    Objects.requireNonNull(path, "path");
    if (!path.startsWith("/")) {
      throw ConfigException.of("path", "must start with /, was '" + path + "'");
    }
    Names.checkRange("intervalMillis", intervalMillis, 10, 3_600_000);
    Names.checkRange("timeoutMillis", timeoutMillis, 1, intervalMillis);
  }
}
