package dev.infergate.router.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The top-level {@code cluster} block: several routers share routing state, audit, rollout leases
 * and rate limits through Redis. Absent: one router, state in {@code stateFile}, local limits.
 * Immutable; validated in its constructor ({@link IllegalArgumentException} naming the field and
 * the value, which {@link #parse} turns into a {@link ConfigException}).
 *
 * @param redis Redis URLs ({@code redis://[:password@]host[:port][/db]} or {@code rediss://...}):
 *     one for {@code standalone}, one or more for {@code sentinel} (the sentinels) and {@code
 *     cluster} (seed nodes)
 * @param mode {@code standalone}, {@code sentinel} or {@code cluster}, as vertx-redis-client offers
 *     them
 * @param masterName the sentinel master's name ({@code sentinel} mode only)
 * @param keyPrefix every key this router writes starts with it, so routers of different fleets can
 *     share one Redis
 * @param timeoutMillis a rate-limit call to Redis slower than this is decided by the local bucket
 * @param replicas how many routers run: while Redis is unreachable each enforces plan limit /
 *     replicas
 * @param leaseMillis a rollout driver's lease lasts this long unless renewed (renewed every third
 *     of it)
 */
public record ClusterConfig(
    List<String> redis,
    String mode,
    String masterName,
    String keyPrefix,
    long timeoutMillis,
    int replicas,
    long leaseMillis) {
  public static final String DEFAULT_MODE = "standalone";
  public static final String DEFAULT_MASTER_NAME = "mymaster";
  public static final String DEFAULT_KEY_PREFIX = "infergate";

  /** As Envoy's rate-limit service call timeout: a limit decision never costs more than this. */
  public static final long DEFAULT_TIMEOUT_MILLIS = 20;

  /**
   * One: while Redis is down each router enforces the whole plan limit (set it to the replica
   * count).
   */
  public static final int DEFAULT_REPLICAS = 1;

  public static final long DEFAULT_LEASE_MILLIS = 10_000;

  static final Set<String> KEYS =
      Set.of(
          "redis", "mode", "masterName", "keyPrefix", "timeoutMillis", "replicas", "leaseMillis");
  private static final Set<String> MODES = Set.of("standalone", "sentinel", "cluster");

  /**
   * Keys and channel names are built from it: plain characters, no Redis Cluster hash-tag braces.
   */
  private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

  public ClusterConfig {
    redis = List.copyOf(redis);
    if (redis.isEmpty()) {
      throw new IllegalArgumentException("cluster.redis: required (redis://host:port[/db])");
    }
    if (!MODES.contains(mode)) {
      throw new IllegalArgumentException(
          "cluster.mode: must be standalone, sentinel or cluster, was '" + mode + "'");
    }
    if (mode.equals("standalone") && redis.size() != 1) {
      throw new IllegalArgumentException(
          "cluster.redis: standalone mode takes one URL, was " + redis.size());
    }
    for (int i = 0; i < redis.size(); i++) {
      checkUrl(redis.size() == 1 ? "cluster.redis" : "cluster.redis[" + i + "]", redis.get(i));
    }
    if (masterName == null || masterName.isBlank()) {
      throw new IllegalArgumentException("cluster.masterName: must not be empty");
    }
    if (keyPrefix == null || !PREFIX.matcher(keyPrefix).matches()) {
      throw new IllegalArgumentException(
          "cluster.keyPrefix: must be 1 to 64 letters, digits, '.', '_', ':' or '-', "
              + "was '"
              + keyPrefix
              + "'");
    }
    if (timeoutMillis < 1 || timeoutMillis > 10_000) {
      throw new IllegalArgumentException(
          "cluster.timeoutMillis: must be 1..10000, was " + timeoutMillis);
    }
    if (replicas < 1 || replicas > 1000) {
      throw new IllegalArgumentException("cluster.replicas: must be 1..1000, was " + replicas);
    }
    if (leaseMillis < 1000 || leaseMillis > 600_000) {
      throw new IllegalArgumentException(
          "cluster.leaseMillis: must be 1000..600000, was " + leaseMillis);
    }
  }

  /** A standalone Redis with every other field at its default. */
  public static ClusterConfig of(String redisUrl) {
    return new ClusterConfig(
        List.of(redisUrl),
        DEFAULT_MODE,
        DEFAULT_MASTER_NAME,
        DEFAULT_KEY_PREFIX,
        DEFAULT_TIMEOUT_MILLIS,
        DEFAULT_REPLICAS,
        DEFAULT_LEASE_MILLIS);
  }

  /** The same block with another replica count and timeout (tests, benchmarks). */
  public ClusterConfig with(String prefix, int replicaCount, long timeout) {
    return new ClusterConfig(redis, mode, masterName, prefix, timeout, replicaCount, leaseMillis);
  }

  static ClusterConfig parse(YamlMap m) throws ConfigException {
    m.rejectUnknown(KEYS);
    if (!m.has("redis")) {
      throw new ConfigException(m.field("redis") + ": required (redis://host:port[/db])");
    }
    List<String> urls = redisUrls(m);
    try {
      return new ClusterConfig(
          urls,
          m.string("mode", DEFAULT_MODE),
          m.string("masterName", DEFAULT_MASTER_NAME),
          m.string("keyPrefix", DEFAULT_KEY_PREFIX),
          m.integer("timeoutMillis", DEFAULT_TIMEOUT_MILLIS, 1, 10_000),
          (int) m.integer("replicas", DEFAULT_REPLICAS, 1, 1000),
          m.integer("leaseMillis", DEFAULT_LEASE_MILLIS, 1000, 600_000));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
  }

  private static List<String> redisUrls(YamlMap m) throws ConfigException {
    List<String> many = m.listOrNull("redis");
    return many != null ? many : List.of(m.string("redis", null));
  }

  private static void checkUrl(String field, String url) {
    URI uri;
    try {
      uri = new URI(url == null ? "" : url.trim());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(field + ": not a valid URL, was '" + redact(url) + "'");
    }
    if (!"redis".equals(uri.getScheme()) && !"rediss".equals(uri.getScheme())) {
      throw new IllegalArgumentException(
          field + ": must be redis://host:port[/db] or rediss://..., was '" + redact(url) + "'");
    }
    if (uri.getHost() == null || uri.getQuery() != null || uri.getFragment() != null) {
      throw new IllegalArgumentException(
          field + ": must be redis://host:port[/db] with no query, was '" + redact(url) + "'");
    }
    String path = uri.getPath() == null ? "" : uri.getPath();
    if (!path.isEmpty() && !path.equals("/") && !path.matches("/([0-9]|1[0-5])")) {
      throw new IllegalArgumentException(
          field + ": the database must be 0..15, was '" + redact(url) + "'");
    }
  }

  /** A URL fit for logs and errors: a password in it is replaced by {@code ***}. */
  public static String redact(String url) {
    return url == null ? null : url.replaceAll("//[^@/]*@", "//***@");
  }

  @Override
  public String toString() {
    return "ClusterConfig[redis="
        + redis.stream().map(ClusterConfig::redact).toList()
        + ", mode="
        + mode
        + ", keyPrefix="
        + keyPrefix
        + ", timeoutMillis="
        + timeoutMillis
        + ", replicas="
        + replicas
        + ", leaseMillis="
        + leaseMillis
        + "]";
  }
}
