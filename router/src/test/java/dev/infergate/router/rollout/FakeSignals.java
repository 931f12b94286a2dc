package dev.infergate.router.rollout;

import dev.infergate.router.observability.TrackOutcomes;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Signals a test sets by hand: readiness, real outcome recorders fed directly, a shadow's counts
 * and its copies' tries (a real recorder too), weights.
 */
final class FakeSignals implements Signals {
  final Map<String, Readiness> readiness = new HashMap<>();
  final Map<String, TrackOutcomes> outcomes = new HashMap<>();
  final Map<String, Integer> weights = new HashMap<>();

  /** How long a shadow copy's try takes unless a test says otherwise. */
  static final long SHADOW_MILLIS = 10;

  /** False: no shadow targets the candidate. */
  private boolean shadow;

  private long compared;
  private long agreed;
  private final TrackOutcomes shadowTries = new TrackOutcomes();

  FakeSignals(String candidate, String baseline) {
    readiness.put(candidate, Readiness.ALL);
    readiness.put(baseline, Readiness.ALL);
    weights.put(candidate, 0);
    weights.put(baseline, 100);
  }

  /**
   * {@code n} first tries on {@code track}, {@code failed} of them failed, each taking {@code
   * millis}.
   */
  FakeSignals requests(String track, int n, int failed, long millis) {
    TrackOutcomes o = outcomes.computeIfAbsent(track, t -> new TrackOutcomes());
    for (int i = 0; i < n; i++) {
      o.record(i < failed, millis * 1_000_000L);
    }
    return this;
  }

  /**
   * {@code compared} shadow answers compared, {@code agreed} of them agreed, each tried in {@link
   * #SHADOW_MILLIS}.
   */
  FakeSignals compared(long compared, long agreed) {
    return compared(compared, agreed, SHADOW_MILLIS);
  }

  /**
   * {@code compared} shadow answers compared, {@code agreed} of them agreed, each tried in {@code
   * millis}.
   */
  FakeSignals compared(long compared, long agreed, long millis) {
    shadow = true;
    this.compared += compared;
    this.agreed += agreed;
    for (long i = 0; i < compared; i++) {
      shadowTries.record(false, millis * 1_000_000L);
    }
    return this;
  }

  @Override
  public Readiness readiness(String track) {
    return readiness.getOrDefault(track, Readiness.NONE);
  }

  @Override
  public TrackOutcomes.Snapshot outcomes(String track) {
    TrackOutcomes o = outcomes.get(track);
    return o == null ? TrackOutcomes.Snapshot.EMPTY : o.snapshot();
  }

  @Override
  public Optional<AgreementCounts> agreement(String track) {
    return shadow
        ? Optional.of(new AgreementCounts(compared, agreed, shadowTries.snapshot()))
        : Optional.empty();
  }

  @Override
  public int weight(String track) {
    return weights.getOrDefault(track, 0);
  }
}
