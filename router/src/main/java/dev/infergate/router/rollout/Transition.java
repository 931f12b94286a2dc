package dev.infergate.router.rollout;

/**
 * What one step of the state machine decided.
 *
 * @param state the next state
 * @param candidateWeight the candidate's weight to put in force (100: promotion, every other track
 *     0), or null to leave the weights as they are
 * @param action the audit action ({@code rollout-step}, {@code rollout-abort}...) when the change
 *     must be audited and persisted before it counts; null for a change of the in-memory window
 *     marks only
 * @param analysis the window analysed at this step, or null
 */
public record Transition(
    RolloutState state, Integer candidateWeight, String action, Analysis analysis) {
  static Transition persisted(RolloutState state, Integer candidateWeight, String action) {
    return new Transition(state, candidateWeight, action, null);
  }

  static Transition inMemory(RolloutState state) {
    return new Transition(state, null, null, null);
  }

  /** Whether it must go through the audit log and the state file. */
  public boolean persists() {
    return action != null;
  }
}
