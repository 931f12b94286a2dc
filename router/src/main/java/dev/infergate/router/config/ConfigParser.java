package dev.infergate.router.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Parses router YAML (the shape of DESIGN.md "Contracts") into a {@link RouterConfig}. It reads the
 * shape (known keys, types, defaults) and leaves the values' rules to the records, which check
 * themselves when built; {@link ConfigException#at} puts each record's place in the document in
 * front of its errors. Every error names the field path and the bad value. Pure: no I/O;
 * thread-safe.
 *
 * <p>Environment overrides replace single values before validation; the supported variables are
 * listed in {@link #ENV_OVERRIDES} and documented in {@code config/router.yaml}.
 */
public final class ConfigParser {

  /** Environment variable → field path it replaces. */
  public static final Map<String, String> ENV_OVERRIDES = envOverrides();

  private static final Set<String> TOP_KEYS =
      Set.of(
          "listen",
          "admin",
          "stateFile",
          "maxBodyBytes",
          "allowTrackOverride",
          "watchIntervalMillis",
          "accessLog",
          "services",
          "auth",
          "rateLimits",
          "tls",
          "shutdown",
          "limits",
          "upstream",
          "logFormat",
          "cluster",
          "tracing");
  private static final Set<String> HOST_PORT_KEYS = Set.of("host", "port");
  private static final Set<String> SERVICE_KEYS =
      Set.of(
          "model",
          "strategy",
          "tracks",
          "active",
          "fallbackTrack",
          "timeoutMillis",
          "retry",
          "circuitBreaker",
          "healthCheck",
          "dnsRefreshMillis",
          "shadow",
          "rollout");
  private static final Set<String> TRACK_KEYS = Set.of("weight", "modelVersion", "endpoints");
  private static final Set<String> RETRY_KEYS =
      Set.of("attempts", "budgetPercent", "minConcurrent", "perTryTimeoutMillis");
  private static final Set<String> BREAKER_KEYS =
      Set.of(
          "failureRatePercent",
          "slowCallMillis",
          "slowCallRatePercent",
          "window",
          "openMillis",
          "halfOpenCalls");
  private static final Set<String> HEALTH_KEYS = Set.of("path", "intervalMillis", "timeoutMillis");

  private static final int MAX_PORT = HostPort.MAX_PORT;

  /** Faster re-resolution only loads the DNS server: pods take seconds to become ready anyway. */
  private static final long MIN_DNS_REFRESH_MILLIS = 100;

  private ConfigParser() {}

  /**
   * Parses {@code yaml} with the given environment (pass {@code System.getenv()} in production).
   */
  public static RouterConfig parse(String yaml, Map<String, String> env) throws ConfigException {
    Object document = load(yaml);
    Map<String, String> applied = Map.of();
    if (document == null || document instanceof Map<?, ?>) {
      Map<String, Object> raw = new LinkedHashMap<>();
      if (document != null) {
        ((Map<?, ?>) document).forEach((k, v) -> raw.put(String.valueOf(k), v));
      }
      applied = applyEnv(raw, env);
      document = raw;
    }
    try {
      return build(YamlMap.root(document));
    } catch (ConfigException e) {
      for (Map.Entry<String, String> a : applied.entrySet()) {
        if (e.getMessage().startsWith(a.getValue() + ":")) {
          throw new ConfigException(
              e.getMessage() + " (set by environment variable " + a.getKey() + ")");
        }
      }
      throw e;
    }
  }

  private static Object load(String yaml) throws ConfigException {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    try {
      return new Yaml(new SafeConstructor(options)).load(yaml);
    } catch (YAMLException e) {
      throw new ConfigException("not valid YAML: " + e.getMessage().replace('\n', ' '), e);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String> applyEnv(Map<String, Object> root, Map<String, String> env) {
    Map<String, String> applied = new LinkedHashMap<>();
    for (Map.Entry<String, String> o : ENV_OVERRIDES.entrySet()) {
      String value = env.get(o.getKey());
      if (value == null) {
        continue;
      }
      String[] parts = o.getValue().split("\\.");
      Map<String, Object> target = root;
      for (int i = 0; i < parts.length - 1; i++) {
        Object child = target.get(parts[i]);
        if (!(child instanceof Map<?, ?>)) {
          child = new LinkedHashMap<String, Object>();
          target.put(parts[i], child);
        }
        target = (Map<String, Object>) child;
      }
      target.put(parts[parts.length - 1], value.trim());
      applied.put(o.getKey(), o.getValue());
    }
    return applied;
  }

  private static RouterConfig build(YamlMap root) throws ConfigException {
    root.rejectUnknown(TOP_KEYS);
    AuthConfig auth = root.has("auth") ? AuthConfig.parse(root.map("auth")) : null;
    RateLimitConfig rateLimits =
        root.has("rateLimits") ? RateLimitConfig.parse(root.map("rateLimits")) : null;
    TlsConfig tls = root.has("tls") ? TlsConfig.parse(root.map("tls")) : null;
    ShutdownConfig shutdown = ShutdownConfig.parse(root.mapOrEmpty("shutdown"));
    LimitsConfig limits = LimitsConfig.parse(root.mapOrEmpty("limits"));
    UpstreamConfig upstream = UpstreamConfig.parse(root.mapOrEmpty("upstream"));
    ClusterConfig cluster = root.has("cluster") ? ClusterConfig.parse(root.map("cluster")) : null;
    HostPort listen =
        hostPort(root.mapOrEmpty("listen"), Defaults.LISTEN_HOST, Defaults.LISTEN_PORT);
    HostPort admin = hostPort(root.mapOrEmpty("admin"), Defaults.ADMIN_HOST, Defaults.ADMIN_PORT);
    String stateFile = root.string("stateFile", Defaults.STATE_FILE);
    long maxBody = root.integer("maxBodyBytes", Defaults.MAX_BODY_BYTES);
    boolean override = root.bool("allowTrackOverride", false);
    long watch = root.integer("watchIntervalMillis", Defaults.WATCH_INTERVAL_MILLIS);
    boolean accessLog = root.bool("accessLog", true);

    YamlMap servicesMap = root.map("services");
    Map<String, ServiceConfig> services = new LinkedHashMap<>();
    for (String name : servicesMap.keys()) {
      services.put(name, service(name, servicesMap.map(name)));
    }
    return new RouterConfig(
        listen,
        admin,
        stateFile,
        maxBody,
        override,
        watch,
        accessLog,
        services,
        auth,
        rateLimits,
        tls,
        shutdown,
        limits,
        upstream,
        TelemetryYaml.logFormat(root),
        cluster,
        TelemetryYaml.tracing(root));
  }

  private static HostPort hostPort(YamlMap m, String host, int port) throws ConfigException {
    m.rejectUnknown(HOST_PORT_KEYS);
    String h = m.string("host", host);
    int p = m.int32("port", port);
    return ConfigException.at(m.path(), () -> new HostPort(h, p));
  }

  /**
   * Reads the YAML shape; the records check the values ({@link ServiceConfig}, {@link
   * TrackConfig}...).
   */
  private static ServiceConfig service(String name, YamlMap m) throws ConfigException {
    m.rejectUnknown(SERVICE_KEYS);
    String model = m.string("model", name);
    String strategyName = m.string("strategy", Strategy.CANARY.yamlName());
    Strategy strategy = Strategy.fromYaml(strategyName);
    if (strategy == null) {
      throw new ConfigException(
          m.field("strategy") + ": must be canary or blue-green, was '" + strategyName + "'");
    }
    long dnsRefresh =
        m.integer(
            "dnsRefreshMillis", Defaults.DNS_REFRESH_MILLIS, MIN_DNS_REFRESH_MILLIS, 3_600_000);
    List<TrackConfig> tracks = tracks(m.map("tracks"), strategy, dnsRefresh);
    String active = m.optionalString("active");
    String fallback = m.optionalString("fallbackTrack");
    long timeout = m.integer("timeoutMillis", Defaults.TIMEOUT_MILLIS);
    RetryConfig retry = retry(m.mapOrEmpty("retry"), timeout);
    BreakerConfig breaker = breaker(m.mapOrEmpty("circuitBreaker"));
    HealthCheckConfig health = health(m.mapOrEmpty("healthCheck"));
    ShadowConfig shadow = m.has("shadow") ? ShadowConfig.parse(m.map("shadow")) : null;
    RolloutConfig rollout = m.has("rollout") ? RolloutConfig.parse(m.map("rollout"), null) : null;
    if (rollout != null) {
      try {
        ServiceConfig.checkRollout(strategy, tracks, rollout);
        ServiceConfig.checkRolloutFits(tracks, rollout);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(m.path() + "." + e.getMessage());
      }
    }
    return ConfigException.at(
        m.path(),
        () ->
            new ServiceConfig(
                    name, model, strategy, tracks, active, fallback, timeout, retry, breaker,
                    health, shadow, rollout)
                .requireShadowOfOtherTracks());
  }

  private static List<TrackConfig> tracks(YamlMap m, Strategy strategy, long dnsRefresh)
      throws ConfigException {
    List<TrackConfig> tracks = new ArrayList<>();
    for (String name : m.keys()) {
      YamlMap t = m.map(name);
      t.rejectUnknown(TRACK_KEYS);
      int weight = 0;
      if (strategy == Strategy.CANARY) {
        weight = t.int32("weight", -1);
        if (!t.has("weight")) {
          throw new ConfigException(t.field("weight") + ": required");
        }
      } else if (t.has("weight")) {
        throw new ConfigException(
            t.field("weight") + ": not used by strategy blue-green (use active)");
      }
      String version = t.optionalString("modelVersion");
      List<EndpointAddress> endpoints = endpoints(t, dnsRefresh);
      int w = weight;
      tracks.add(ConfigException.at(t.path(), () -> new TrackConfig(name, w, version, endpoints)));
    }
    return tracks;
  }

  private static List<EndpointAddress> endpoints(YamlMap t, long dnsRefresh)
      throws ConfigException {
    List<?> raw = t.list("endpoints");
    String path = t.field("endpoints");
    List<EndpointAddress> endpoints = new ArrayList<>();
    for (int i = 0; i < raw.size(); i++) {
      endpoints.add(endpoint(path + "[" + i + "]", raw.get(i), dnsRefresh));
    }
    return endpoints;
  }

  /**
   * One endpoint entry: {@code http://host[:port]} (port 80 by default) or {@code dns://name:port}
   * (the port is required: a DNS name says nothing about it).
   */
  static EndpointAddress endpoint(String path, Object value, long dnsRefreshMillis)
      throws ConfigException {
    String shape = "http://host[:port] or dns://name:port";
    if (!(value instanceof String s)) {
      throw new ConfigException(
          path
              + ": must be a URL string like http://127.0.0.1:9001 or "
              + "dns://model-server.ns.svc.cluster.local:9000, was "
              + YamlMap.describe(value));
    }
    URI uri;
    try {
      uri = new URI(s.trim());
    } catch (URISyntaxException e) {
      throw new ConfigException(path + ": not a valid URL (" + shape + "), was '" + s + "'");
    }
    String scheme = uri.getScheme();
    if (!"http".equals(scheme) && !"dns".equals(scheme)) {
      throw new ConfigException(
          path + ": must be " + shape + " (scheme http or dns), was '" + s + "'");
    }
    boolean dns = scheme.equals("dns");
    if (uri.getHost() == null
        || uri.getUserInfo() != null
        || uri.getQuery() != null
        || uri.getFragment() != null
        || (uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().equals("/"))) {
      throw new ConfigException(
          path
              + ": must be "
              + (dns ? "dns://name:port" : "http://host[:port]")
              + " with no path, was '"
              + s
              + "'");
    }
    if (dns && uri.getPort() == -1) {
      throw new ConfigException(
          path + ": a dns endpoint needs a port (dns://name:port), was '" + s + "'");
    }
    int port = uri.getPort() == -1 ? 80 : uri.getPort();
    if (port < 1 || port > MAX_PORT) {
      throw new ConfigException(path + ": port must be 1.." + MAX_PORT + ", was '" + s + "'");
    }
    String host = uri.getHost();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return dns
        ? EndpointAddress.dns(host, port, dnsRefreshMillis)
        : new EndpointAddress(host, port);
  }

  private static RetryConfig retry(YamlMap m, long timeout) throws ConfigException {
    m.rejectUnknown(RETRY_KEYS);
    int attempts = m.int32("attempts", Defaults.RETRY_ATTEMPTS);
    int percent = m.int32("budgetPercent", Defaults.RETRY_BUDGET_PERCENT);
    int min = m.int32("minConcurrent", Defaults.RETRY_MIN_CONCURRENT);
    long perTry = m.integer("perTryTimeoutMillis", timeout);
    return ConfigException.at(m.path(), () -> new RetryConfig(attempts, percent, min, perTry));
  }

  private static BreakerConfig breaker(YamlMap m) throws ConfigException {
    m.rejectUnknown(BREAKER_KEYS);
    int failure = m.int32("failureRatePercent", Defaults.BREAKER_FAILURE_RATE_PERCENT);
    long slow = m.integer("slowCallMillis", Defaults.BREAKER_SLOW_CALL_MILLIS);
    int slowRate = m.int32("slowCallRatePercent", BreakerConfig.DEFAULT_SLOW_CALL_RATE_PERCENT);
    int window = m.int32("window", Defaults.BREAKER_WINDOW);
    long open = m.integer("openMillis", Defaults.BREAKER_OPEN_MILLIS);
    int halfOpen = m.int32("halfOpenCalls", Defaults.BREAKER_HALF_OPEN_CALLS);
    return ConfigException.at(
        m.path(), () -> new BreakerConfig(failure, slow, slowRate, window, open, halfOpen));
  }

  private static HealthCheckConfig health(YamlMap m) throws ConfigException {
    m.rejectUnknown(HEALTH_KEYS);
    String path = m.string("path", Defaults.HEALTH_PATH);
    long interval = m.integer("intervalMillis", Defaults.HEALTH_INTERVAL_MILLIS);
    long timeout = m.integer("timeoutMillis", Math.min(interval, Defaults.HEALTH_TIMEOUT_MILLIS));
    return ConfigException.at(m.path(), () -> new HealthCheckConfig(path, interval, timeout));
  }

  private static Map<String, String> envOverrides() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("INFERGATE_LISTEN_HOST", "listen.host");
    m.put("INFERGATE_LISTEN_PORT", "listen.port");
    m.put("INFERGATE_ADMIN_HOST", "admin.host");
    m.put("INFERGATE_ADMIN_PORT", "admin.port");
    m.put("INFERGATE_STATE_FILE", "stateFile");
    m.put("INFERGATE_MAX_BODY_BYTES", "maxBodyBytes");
    m.put("INFERGATE_ALLOW_TRACK_OVERRIDE", "allowTrackOverride");
    m.put("INFERGATE_ACCESS_LOG", "accessLog");
    // The switch back to Vert.x's client when an upgrade breaks the Netty path, without editing the
    // file.
    m.put("INFERGATE_UPSTREAM_TRANSPORT", "upstream.transport");
    m.put("INFERGATE_LOG_FORMAT", "logFormat");
    // The issuer's coordinates often come from a Kubernetes Secret or the environment.
    m.put("INFERGATE_AUTH_JWKS", "auth.jwks");
    m.put("INFERGATE_AUTH_ISSUER", "auth.issuer");
    m.put("INFERGATE_AUTH_AUDIENCE", "auth.audience");
    // The Redis URL may carry a password: in Kubernetes it comes from a Secret. Setting it turns
    // cluster on.
    m.put("INFERGATE_CLUSTER_REDIS", "cluster.redis");
    return java.util.Collections.unmodifiableMap(m);
  }
}
