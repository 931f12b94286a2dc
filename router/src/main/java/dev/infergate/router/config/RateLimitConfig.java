package dev.infergate.router.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The {@code rateLimits} block: a token bucket per consumer sized by plan, and optional buckets per
 * consumer and service that apply on top. Immutable; validated by {@link #parse}.
 *
 * @param services per-service limits, applied per consumer in addition to the plan's
 * @param idleEvictSeconds a consumer's buckets are dropped after this long without requests
 * @param maxConsumers hard cap on tracked consumers, so a flood of distinct subjects cannot grow
 *     memory
 */
public record RateLimitConfig(
    Limit defaultLimit,
    Map<String, Limit> plans,
    Map<String, Limit> services,
    long idleEvictSeconds,
    int maxConsumers) {

  static final Set<String> KEYS =
      Set.of("default", "plans", "services", "idleEvictSeconds", "maxConsumers");
  static final Set<String> LIMIT_KEYS = Set.of("perSecond", "burst");
  public static final long DEFAULT_IDLE_EVICT_SECONDS = 300;
  public static final int DEFAULT_MAX_CONSUMERS = 100_000;

  /** {@code perSecond} tokens are added each second, up to {@code burst}. */
  public record Limit(long perSecond, long burst) {}

  public RateLimitConfig {
    plans = Map.copyOf(plans);
    services = Map.copyOf(services);
  }

  /** The limit of {@code plan}, or the default one for consumers with no or an unknown plan. */
  public Limit forPlan(String plan) {
    return plan == null ? defaultLimit : plans.getOrDefault(plan, defaultLimit);
  }

  static RateLimitConfig parse(YamlMap limits) throws ConfigException {
    limits.rejectUnknown(KEYS);
    if (!limits.has("default")) {
      throw new ConfigException(limits.field("default") + ": required ({perSecond: N, burst: N})");
    }
    return new RateLimitConfig(
        limit(limits.map("default")),
        limitsByName(limits.mapOrEmpty("plans")),
        limitsByName(limits.mapOrEmpty("services")),
        limits.integer("idleEvictSeconds", DEFAULT_IDLE_EVICT_SECONDS, 1, 86_400),
        (int) limits.integer("maxConsumers", DEFAULT_MAX_CONSUMERS, 100, 100_000_000));
  }

  private static Map<String, Limit> limitsByName(YamlMap block) throws ConfigException {
    Map<String, Limit> byName = new LinkedHashMap<>();
    for (String name : block.keys()) {
      byName.put(name, limit(block.map(name)));
    }
    return byName;
  }

  private static Limit limit(YamlMap limit) throws ConfigException {
    limit.rejectUnknown(LIMIT_KEYS);
    long perSecond = limit.requiredInteger("perSecond", 1, 10_000_000);
    long burst = limit.integer("burst", perSecond, 1, 100_000_000);
    return new Limit(perSecond, burst);
  }
}
