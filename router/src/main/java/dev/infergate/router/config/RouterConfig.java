package dev.infergate.router.config;

import dev.infergate.telemetry.LogFormat;
import dev.infergate.telemetry.TracingConfig;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The whole router configuration, immutable and valid by construction (the rules that span blocks:
 * auth and the admin listener, auth and {@code allowTrackOverride}, unique models, rate-limited
 * services that exist). Built from YAML by {@link ConfigParser}; a reload builds a new instance, it
 * never changes one.
 *
 * @param stateFile where run-time weight / active-track changes are kept (admin write API); the
 *     audit log {@code audit.jsonl} goes beside it
 * @param allowTrackOverride honour {@code x-infergate-track} from any client; only without auth
 *     (dev, tests): with auth the consumer needs {@link AuthConfig#overrideRole()}
 * @param watchIntervalMillis how often the config file is checked for changes; 0 disables watching
 * @param accessLog whether one JSON line per request goes to stdout
 * @param services by service name, in declaration order
 * @param auth JWT authentication of proxied and admin requests, or null (dev only)
 * @param rateLimits per-consumer token buckets, or null for none
 * @param tls HTTPS on the public listener, or null for plain HTTP
 * @param shutdown what SIGTERM does (pre-stop delay, drain)
 * @param limits read deadlines, idle timeout and connection caps of both listeners
 * @param upstream how the router talks to the model servers (the transport)
 * @param logFormat {@code logFormat: text | json} (JSON lines with request and trace ids); restart
 *     to change
 * @param cluster shared state, audit, leases and rate limits in Redis, or null for one router on
 *     its own
 * @param tracing {@code tracing: {otlpEndpoint, sampleRatio}}: OpenTelemetry spans over OTLP/HTTP,
 *     off by default; restart to change
 */
public record RouterConfig(
    HostPort listen,
    HostPort admin,
    String stateFile,
    long maxBodyBytes,
    boolean allowTrackOverride,
    long watchIntervalMillis,
    boolean accessLog,
    Map<String, ServiceConfig> services,
    AuthConfig auth,
    RateLimitConfig rateLimits,
    TlsConfig tls,
    ShutdownConfig shutdown,
    LimitsConfig limits,
    UpstreamConfig upstream,
    LogFormat logFormat,
    ClusterConfig cluster,
    TracingConfig tracing) {

  /** Upper bound of {@code watchIntervalMillis}: an hour. */
  public static final long MAX_WATCH_INTERVAL_MILLIS = 3_600_000;

  public RouterConfig {
    Objects.requireNonNull(upstream, "upstream");
    Objects.requireNonNull(listen, "listen");
    Objects.requireNonNull(logFormat, "logFormat");
    Objects.requireNonNull(tracing, "tracing");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(admin, "admin");
    Objects.requireNonNull(shutdown, "shutdown");
    Objects.requireNonNull(stateFile, "stateFile");
    services = Collections.unmodifiableMap(new LinkedHashMap<>(services));
    if (auth == null && !isLoopback(admin.host())) {
      throw ConfigException.of(
          "admin.host",
          "must be a loopback address (127.0.0.1, ::1, localhost) "
              + "while auth is not configured, was '"
              + admin.host()
              + "'");
    }
    if (listen.port() != 0 && listen.port() == admin.port()) {
      throw ConfigException.of(
          "admin.port", "must differ from listen.port, both are " + admin.port());
    }
    Names.checkRange("maxBodyBytes", maxBodyBytes, 1, Integer.MAX_VALUE);
    if (allowTrackOverride && auth != null) {
      throw ConfigException.of(
          "allowTrackOverride",
          "only for set-ups without auth; with auth, consumers "
              + "with auth.overrideRole ('"
              + auth.overrideRole()
              + "') may send x-infergate-track");
    }
    Names.checkRange("watchIntervalMillis", watchIntervalMillis, 0, MAX_WATCH_INTERVAL_MILLIS);
    if (services.isEmpty()) {
      throw ConfigException.of("services", "must name at least one service");
    }
    Map<String, String> serviceByModel = new LinkedHashMap<>();
    for (Map.Entry<String, ServiceConfig> e : services.entrySet()) {
      if (!e.getKey().equals(e.getValue().name())) {
        throw ConfigException.of(
            "services." + e.getKey() + ".name",
            "must be the key, was '" + e.getValue().name() + "'");
      }
      String other = serviceByModel.putIfAbsent(e.getValue().model(), e.getKey());
      if (other != null) {
        throw ConfigException.of(
            "services." + e.getKey() + ".model",
            "'" + e.getValue().model() + "' is already served by service '" + other + "'");
      }
    }
    if (rateLimits != null) {
      for (String service : rateLimits.services().keySet()) {
        if (!services.containsKey(service)) {
          throw ConfigException.of(
              "rateLimits.services." + service,
              "no such service (services: " + services.keySet() + ")");
        }
      }
    }
  }

  /** Literal check, no DNS: localhost, 127.0.0.0/8, ::1. */
  static boolean isLoopback(String host) {
    String h =
        host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    return h.equals("localhost")
        || h.equals("::1")
        || h.equals("0:0:0:0:0:0:0:1")
        || h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
  }

  /**
   * A reloaded configuration as it can take effect: its reloadable fields with {@code running}'s
   * restart-only ones (listeners, state file, auth, TLS, limits, shutdown, access log, watch
   * interval, upstream transport, log format, cluster, tracing), which the listeners, the
   * authenticator and the admin API were built from and keep. Built, and so checked, as a whole, so
   * that a reload cannot combine the running auth with a setting only valid without it (dropping
   * {@code auth:} and setting {@code allowTrackOverride: true} would otherwise let any consumer
   * choose its track while tokens are still required: RestartOnlyReloadTest).
   *
   * @throws ConfigException when the combination is invalid; the running config stays
   */
  public RouterConfig reloadedOver(RouterConfig running) {
    try {
      return new RouterConfig(
          running.listen(),
          running.admin(),
          running.stateFile(),
          maxBodyBytes,
          allowTrackOverride,
          running.watchIntervalMillis(),
          running.accessLog(),
          services,
          running.auth(),
          rateLimits,
          running.tls(),
          running.shutdown(),
          running.limits(),
          running.upstream(),
          running.logFormat(),
          running.cluster(),
          running.tracing());
    } catch (ConfigException e) {
      throw new ConfigException(
          e.getMessage()
              + " (this router keeps the listeners, auth, TLS and limits it "
              + "started with: changes to them take effect at the next restart)",
          e);
    }
  }

  /** The same configuration with other services (operator overrides laid over the file's). */
  public RouterConfig withServices(Map<String, ServiceConfig> replaced) {
    return new RouterConfig(
        listen,
        admin,
        stateFile,
        maxBodyBytes,
        allowTrackOverride,
        watchIntervalMillis,
        accessLog,
        replaced,
        auth,
        rateLimits,
        tls,
        shutdown,
        limits,
        upstream,
        logFormat,
        cluster,
        tracing);
  }
}
