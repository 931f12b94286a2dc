package dev.infergate.router.testsupport;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds the YAML of one service for test configs, with test-friendly defaults (fast health
 * checks).
 */
public final class ServiceYaml {
  private final String name;
  private String model;
  private String strategy = "canary";
  private String active;
  private String fallback;
  private final List<String> tracks = new ArrayList<>();
  private String retry = "{ attempts: 3, budgetPercent: 20, minConcurrent: 16 }";
  private String breaker =
      "{ failureRatePercent: 50, slowCallMillis: 2000, window: 4, openMillis: 60000 }";
  private String health = "{ path: /v2/health/ready, intervalMillis: 100 }";
  private long timeoutMillis = 5000;
  private Long dnsRefreshMillis;
  private String shadow;
  private String rollout;

  public ServiceYaml(String name) {
    this.name = name;
    this.model = name;
  }

  public ServiceYaml model(String m) {
    this.model = m;
    return this;
  }

  public ServiceYaml blueGreen(String activeTrack) {
    this.strategy = "blue-green";
    this.active = activeTrack;
    return this;
  }

  /** A canary track with a weight; a null version leaves the track unpinned. */
  public ServiceYaml track(String track, int weight, String version, String... urls) {
    tracks.add(
        "      "
            + track
            + ": { weight: "
            + weight
            + (version == null ? "" : ", modelVersion: \"" + version + "\"")
            + ", endpoints: ["
            + String.join(", ", urls)
            + "] }");
    return this;
  }

  /** A blue-green track (no weight). */
  public ServiceYaml track(String track, String version, String... urls) {
    tracks.add(
        "      "
            + track
            + ": { modelVersion: \""
            + version
            + "\", endpoints: ["
            + String.join(", ", urls)
            + "] }");
    return this;
  }

  public ServiceYaml fallback(String track) {
    this.fallback = track;
    return this;
  }

  public ServiceYaml retry(String yamlFlowMap) {
    this.retry = yamlFlowMap;
    return this;
  }

  public ServiceYaml breaker(String yamlFlowMap) {
    this.breaker = yamlFlowMap;
    return this;
  }

  public ServiceYaml health(String yamlFlowMap) {
    this.health = yamlFlowMap;
    return this;
  }

  public ServiceYaml timeoutMillis(long t) {
    this.timeoutMillis = t;
    return this;
  }

  /**
   * The service's {@code shadow:} block, e.g. {@code { track: canary, percent: 100 }} (null: none).
   */
  public ServiceYaml shadow(String yamlFlowMap) {
    this.shadow = yamlFlowMap;
    return this;
  }

  /** The service's {@code rollout:} block, as a YAML flow map. */
  public ServiceYaml rollout(String yamlFlowMap) {
    this.rollout = yamlFlowMap;
    return this;
  }

  /** How often the service's {@code dns://} endpoints are resolved again (unset: the default). */
  public ServiceYaml dnsRefreshMillis(long millis) {
    this.dnsRefreshMillis = millis;
    return this;
  }

  String yaml() {
    StringBuilder b = new StringBuilder();
    b.append("  ").append(name).append(":\n");
    b.append("    model: ").append(model).append('\n');
    b.append("    strategy: ").append(strategy).append('\n');
    if (active != null) {
      b.append("    active: ").append(active).append('\n');
    }
    b.append("    tracks:\n");
    tracks.forEach(t -> b.append(t).append('\n'));
    if (fallback != null) {
      b.append("    fallbackTrack: ").append(fallback).append('\n');
    }
    b.append("    timeoutMillis: ").append(timeoutMillis).append('\n');
    b.append("    retry: ").append(retry).append('\n');
    b.append("    circuitBreaker: ").append(breaker).append('\n');
    b.append("    healthCheck: ").append(health).append('\n');
    if (dnsRefreshMillis != null) {
      b.append("    dnsRefreshMillis: ").append(dnsRefreshMillis).append('\n');
    }
    if (shadow != null) {
      b.append("    shadow: ").append(shadow).append('\n');
    }
    if (rollout != null) {
      b.append("    rollout: ").append(rollout).append('\n');
    }
    return b.toString();
  }

  /** A whole router config on ports 0 with a fast file watch, no access log, overrides allowed. */
  public static String config(ServiceYaml... services) {
    return configWith("allowTrackOverride: true\n", services);
  }

  /**
   * A whole router config on ports 0 with a fast file watch, no access log and no pre-stop delay at
   * shutdown, plus {@code extra} top-level YAML (e.g. {@code auth:} and {@code rateLimits:}
   * blocks).
   */
  public static String configWith(String extra, ServiceYaml... services) {
    StringBuilder b =
        new StringBuilder()
            .append("listen: { host: 127.0.0.1, port: 0 }\n")
            .append("admin: { host: 127.0.0.1, port: 0 }\n")
            .append("maxBodyBytes: 65536\n")
            .append(extra)
            .append(extra.contains("shutdown:") ? "" : "shutdown: { preStopDelayMillis: 0 }\n")
            .append("watchIntervalMillis: 50\n")
            .append("accessLog: false\n")
            .append("services:\n");
    for (ServiceYaml s : services) {
      b.append(s.yaml());
    }
    return b.toString();
  }
}
