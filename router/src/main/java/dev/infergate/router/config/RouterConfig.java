package dev.infergate.router.config;

import dev.infergate.telemetry.LogFormat;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The whole router configuration, immutable. Built and validated by {@link ConfigParser}; a reload
 * builds a new instance, it never changes one.
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
 * @param logFormat {@code logFormat: text | json} (JSON lines with request and trace ids); restart to change
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
    LogFormat logFormat) {

  public RouterConfig {
    Objects.requireNonNull(upstream, "upstream");
    Objects.requireNonNull(listen, "listen");
    Objects.requireNonNull(logFormat, "logFormat");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(admin, "admin");
    Objects.requireNonNull(shutdown, "shutdown");
    services = Collections.unmodifiableMap(new LinkedHashMap<>(services));
  }

  /** With text logs. */
  public RouterConfig(HostPort listen, HostPort admin, String stateFile, long maxBodyBytes, boolean allowTrackOverride,
      long watchIntervalMillis, boolean accessLog, Map<String, ServiceConfig> services, AuthConfig auth,
      RateLimitConfig rateLimits, TlsConfig tls, ShutdownConfig shutdown, LimitsConfig limits, UpstreamConfig upstream) {
    this(listen, admin, stateFile, maxBodyBytes, allowTrackOverride, watchIntervalMillis, accessLog, services, auth,
        rateLimits, tls, shutdown, limits, upstream, LogFormat.DEFAULT);
  }

  /**
   * A reloaded configuration as it can take effect: its reloadable fields with {@code running}'s
   * restart-only ones (listeners, state file, auth, TLS, limits, shutdown, access log, watch interval,
   * upstream transport, log format),
   * which the listeners, the authenticator and the admin API were built from and keep. Checked again as
   * a whole, so that a reload cannot combine the running auth with a setting only valid without it
   * (dropping {@code auth:} and setting {@code allowTrackOverride: true} would otherwise let any
   * consumer choose its track while tokens are still required).
   *
   * @throws ConfigException when the combination is invalid; the running config stays
   */
  public RouterConfig reloadedOver(RouterConfig running) throws ConfigException {
    if (allowTrackOverride && running.auth() != null) {
      throw new ConfigException("allowTrackOverride: only for set-ups without auth, and this router runs with auth "
          + "(auth changes take effect at the next restart)");
    }
    return new RouterConfig(running.listen(), running.admin(), running.stateFile(), maxBodyBytes, allowTrackOverride,
        running.watchIntervalMillis(), running.accessLog(), services, running.auth(), rateLimits, running.tls(),
        running.shutdown(), running.limits(), running.upstream(), running.logFormat());
  }

  /** The same configuration with other services (operator overrides laid over the file's). */
  public RouterConfig withServices(Map<String, ServiceConfig> replaced) {
    return new RouterConfig(listen, admin, stateFile, maxBodyBytes, allowTrackOverride, watchIntervalMillis,
        accessLog, replaced, auth, rateLimits, tls, shutdown, limits, upstream, logFormat);
  }
}
