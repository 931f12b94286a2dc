package dev.infergate.router.config;

import java.util.Objects;

/** Active health check of every endpoint of a service: {@code GET path} every {@code intervalMillis}. */
public record HealthCheckConfig(String path, long intervalMillis, long timeoutMillis) {
  public HealthCheckConfig {
    Objects.requireNonNull(path, "path");
  }
}
