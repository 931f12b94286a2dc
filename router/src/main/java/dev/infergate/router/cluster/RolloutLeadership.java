package dev.infergate.router.cluster;

/**
 * Which router replica drives each service's automated rollout: exactly one at a time, so that a
 * rollout's steps run once, not once per replica.
 *
 * <p>Threading: {@link #leads} is called from any thread (the rollout driver's timer) and never
 * blocks; it answers from what this replica knows now. Errors: none; a replica that cannot reach
 * the lease store stops leading before its lease can pass to another one.
 */
public interface RolloutLeadership {
  /** One router on its own leads every rollout. */
  RolloutLeadership SOLE = service -> true;

  /**
   * Whether this replica drives {@code service}'s rollout now. The first call for a service makes
   * this replica a candidate for it; a later call may then answer true.
   */
  boolean leads(String service);
}
