package dev.infergate.router.rollout;

/** Where a rollout stands. Lower-case in JSON, metrics and the state file. */
public enum Phase {
  /** No rollout has run on the service since the router's state began. */
  IDLE,
  /** Started; the candidate has weight 0 until it is warm (ready endpoints, shadow answers). */
  WARMING,
  /** A step's weight is in force and its window is being held and analysed. */
  RUNNING,
  /** Stopped for a human (by one, or after too many inconclusive windows); weights stay. */
  PAUSED,
  /** Every step passed; the candidate took 100. */
  SUCCEEDED,
  /** A failed analysis or an operator: the candidate's weight went to 0. */
  ABORTED;

  public String jsonName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** The phase of that JSON name, or null. */
  public static Phase fromJson(String name) {
    for (Phase p : values()) {
      if (p.jsonName().equals(name)) {
        return p;
      }
    }
    return null;
  }

  /** Warming, running or paused: a rollout is under way (a new one is refused). */
  public boolean active() {
    return this == WARMING || this == RUNNING || this == PAUSED;
  }
}
