package dev.infergate.router.rollout;

import dev.infergate.router.config.RolloutConfig;
import dev.infergate.router.observability.TrackOutcomes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One service's rollout at one moment. Immutable; {@link RolloutMachine} makes the next one. The
 * first seven fields are persisted (the state file, {@link #toJson}); the window's start marks and
 * clock readings are not: a router restarted mid-rollout resumes at the same step and weights and
 * holds the step afresh (its counters started at zero anyway).
 *
 * @param config the settings the rollout started with (a later config file change does not alter
 *     it)
 * @param step the step in force or to enter once warm, 1-based; 0 before the first
 * @param reason why the last transition happened (a failed analysis's figures, who paused it)
 * @param inconclusive inconclusive windows in a row at this step
 * @param resumeTo when paused, the phase {@code resume} returns to
 * @param analyses the last {@value #MAX_ANALYSES} windows' figures, oldest first
 * @param sinceMillis when the phase began, or the hold restarted (clock millis); -1: not yet read
 * @param windowEndsMillis when the step's window is analysed; -1: not yet read
 * @param marks the cumulative figures at the window's (or warm-up's) start; null: not yet read
 */
public record RolloutState(
    RolloutConfig config,
    Phase phase,
    int step,
    String reason,
    int inconclusive,
    Phase resumeTo,
    String startedBy,
    List<Analysis> analyses,
    long sinceMillis,
    long windowEndsMillis,
    Marks marks) {
  static final int MAX_ANALYSES = 20;
  public static final RolloutState IDLE =
      new RolloutState(null, Phase.IDLE, 0, null, 0, null, null, List.of(), -1, -1, null);
  private static final Set<String> KEYS =
      Set.of(
          "config", "phase", "step", "reason", "inconclusive", "resumeTo", "startedBy", "analyses");

  /** Cumulative figures at a window's start. */
  public record Marks(
      TrackOutcomes.Snapshot candidate,
      TrackOutcomes.Snapshot baseline,
      AgreementCounts agreement) {}

  public RolloutState {
    analyses = List.copyOf(analyses);
  }

  RolloutState phase(Phase next, String why) {
    return new RolloutState(
        config,
        next,
        step,
        why,
        inconclusive,
        resumeTo,
        startedBy,
        analyses,
        sinceMillis,
        windowEndsMillis,
        marks);
  }

  RolloutState paused(String why) {
    return new RolloutState(
        config,
        Phase.PAUSED,
        step,
        why,
        inconclusive,
        phase,
        startedBy,
        analyses,
        sinceMillis,
        windowEndsMillis,
        marks);
  }

  RolloutState atStep(int number) {
    return new RolloutState(
        config,
        phase,
        number,
        reason,
        0,
        resumeTo,
        startedBy,
        analyses,
        sinceMillis,
        windowEndsMillis,
        marks);
  }

  RolloutState inconclusive(int count) {
    return new RolloutState(
        config,
        phase,
        step,
        reason,
        count,
        resumeTo,
        startedBy,
        analyses,
        sinceMillis,
        windowEndsMillis,
        marks);
  }

  RolloutState analysed(Analysis a) {
    List<Analysis> next = new ArrayList<>(analyses);
    next.add(a);
    if (next.size() > MAX_ANALYSES) {
      next.remove(0);
    }
    return new RolloutState(
        config,
        phase,
        step,
        reason,
        inconclusive,
        resumeTo,
        startedBy,
        next,
        sinceMillis,
        windowEndsMillis,
        marks);
  }

  /** A fresh hold: marks and clocks read again at the next tick. */
  RolloutState unmarked() {
    return new RolloutState(
        config, phase, step, reason, inconclusive, resumeTo, startedBy, analyses, -1, -1, null);
  }

  RolloutState marked(long since, long windowEnds, Marks at) {
    return new RolloutState(
        config,
        phase,
        step,
        reason,
        inconclusive,
        resumeTo,
        startedBy,
        analyses,
        since,
        windowEnds,
        at);
  }

  RolloutState windowEnds(long millis) {
    return new RolloutState(
        config,
        phase,
        step,
        reason,
        inconclusive,
        resumeTo,
        startedBy,
        analyses,
        sinceMillis,
        millis,
        marks);
  }

  /** The last analysis, or null. */
  public Analysis lastAnalysis() {
    return analyses.isEmpty() ? null : analyses.get(analyses.size() - 1);
  }

  /**
   * The persisted part; also the body of {@code GET .../rollout} (the driver adds the weights in
   * force).
   */
  public JsonObject toJson() {
    JsonObject o = new JsonObject().put("phase", phase.jsonName()).put("step", step);
    if (config != null) {
      o.put("config", config.toJson());
    }
    o.put("reason", reason).put("inconclusive", inconclusive);
    if (resumeTo != null) {
      o.put("resumeTo", resumeTo.jsonName());
    }
    if (startedBy != null) {
      o.put("startedBy", startedBy);
    }
    JsonArray list = new JsonArray();
    analyses.forEach(a -> list.add(a.toJson()));
    return o.put("analyses", list);
  }

  /**
   * Reads {@link #toJson}'s shape (the state file's {@code services.<name>.rollout}).
   *
   * @throws IllegalArgumentException naming the field under {@code at} and the bad value
   */
  public static RolloutState fromJson(JsonObject o, String at) {
    for (String key : o.fieldNames()) {
      if (!KEYS.contains(key)) {
        throw new IllegalArgumentException(
            at + "." + key + ": unknown field (known: " + KEYS.stream().sorted().toList() + ")");
      }
    }
    Phase phase = o.getValue("phase") instanceof String p ? Phase.fromJson(p) : null;
    if (phase == null) {
      throw new IllegalArgumentException(
          at
              + ".phase: must be idle|warming|running|paused|succeeded|aborted, was "
              + o.getValue("phase"));
    }
    RolloutConfig config = null;
    if (o.getValue("config") instanceof JsonObject c) {
      config = RolloutConfig.fromJson(c, null);
    } else if (phase != Phase.IDLE) {
      throw new IllegalArgumentException(at + ".config: required for phase " + phase.jsonName());
    }
    int steps = config == null ? 0 : config.steps().size();
    Object step = o.getValue("step");
    if (!(step instanceof Integer n) || n < 0 || n > steps) {
      throw new IllegalArgumentException(
          at + ".step: must be an integer 0.." + steps + ", was " + step);
    }
    if (phase == Phase.RUNNING && n == 0) {
      throw new IllegalArgumentException(
          at + ".step: must be 1.." + steps + " while running, was 0");
    }
    Object inconclusive = o.getValue("inconclusive", 0);
    if (!(inconclusive instanceof Integer i) || i < 0) {
      throw new IllegalArgumentException(
          at + ".inconclusive: must be an integer >= 0, was " + inconclusive);
    }
    Phase resumeTo = null;
    if (phase == Phase.PAUSED) {
      resumeTo = o.getValue("resumeTo") instanceof String r ? Phase.fromJson(r) : null;
      if (resumeTo != Phase.WARMING && resumeTo != Phase.RUNNING) {
        throw new IllegalArgumentException(
            at
                + ".resumeTo: must be warming or running when paused, was "
                + o.getValue("resumeTo"));
      }
      if (resumeTo == Phase.RUNNING && n == 0) {
        throw new IllegalArgumentException(
            at + ".step: must be 1.." + steps + " to resume running, was 0");
      }
    }
    List<Analysis> analyses = new ArrayList<>();
    Object list = o.getValue("analyses", new JsonArray());
    if (!(list instanceof JsonArray array)) {
      throw new IllegalArgumentException(at + ".analyses: must be a list, was " + list);
    }
    for (int k = 0; k < array.size(); k++) {
      try {
        analyses.add(Analysis.fromJson(array.getJsonObject(k)));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            at + ".analyses[" + k + "]: not an analysis (" + e.getMessage() + ")");
      }
    }
    if (analyses.size() > MAX_ANALYSES) {
      analyses = analyses.subList(analyses.size() - MAX_ANALYSES, analyses.size());
    }
    Object reason = o.getValue("reason");
    Object startedBy = o.getValue("startedBy");
    return new RolloutState(
        config,
        phase,
        n,
        reason instanceof String r ? r : null,
        i,
        resumeTo,
        startedBy instanceof String s ? s : null,
        analyses,
        -1,
        -1,
        null);
  }
}
