package dev.infergate.router.cluster;

/**
 * The Redis keys and channel of one fleet, all under {@code cluster.keyPrefix}. The routing state
 * and its audit stream share the hash tag {@code {state}} so that one script may touch both in
 * Redis Cluster; a consumer's buckets share the consumer as hash tag for the same reason.
 * Immutable.
 */
public record ClusterKeys(String prefix) {
  /** Hash: {@code version} and {@code json} (the operator state and rollout state). */
  public String state() {
    return prefix + ":{state}";
  }

  /** Stream: one entry per change attempt (applied, conflict, seeded). */
  public String audit() {
    return prefix + ":{state}:audit";
  }

  /** Pub/sub channel: the new version after each change. */
  public String channel() {
    return prefix + ":state-changed";
  }

  public String lease(String service) {
    return prefix + ":lease:" + service;
  }

  public String bucket(String consumer) {
    return prefix + ":rl:{" + consumer + "}";
  }

  public String bucket(String consumer, String service) {
    return prefix + ":rl:{" + consumer + "}:" + service;
  }
}
