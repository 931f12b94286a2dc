package dev.infergate.router.rollout;

/**
 * Whether this router drives a service's rollout. With several replicas sharing state, exactly one
 * should (a lease); the others keep routing by the weights the leader writes. Called from the rollout
 * driver's worker thread on every tick; must not block.
 */
@FunctionalInterface
public interface RolloutLeadership {
  /** One router alone: it leads every service. */
  RolloutLeadership LOCAL = service -> true;

  boolean leads(String service);
}
