package dev.infergate.router.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The {@code rollout:} block of a canary service: an automated canary that raises {@code
 * candidate}'s weight step by step, taking it from {@code baseline}, and judges each step against
 * the baseline over the same window (see DESIGN.md "Shadow, rollouts, cluster"). Validated here,
 * whatever built it (the config file or the admin API's start overrides): every message names the
 * field under {@code rollout.} and the bad value, as an {@link IllegalArgumentException}; whether
 * candidate and baseline are tracks of the service is {@link ServiceConfig}'s check.
 *
 * @param steps candidate weight per step, strictly ascending, each 1..99; promotion (100) follows
 *     the last
 * @param stepSeconds hold of each step before it is analysed (an inconclusive step holds this long
 *     again)
 * @param minRequests candidate requests (and baseline requests, for a p99) a window needs for a
 *     verdict
 * @param maxErrorPercent candidate 5xx, timeouts and resets, in % of candidate requests
 * @param maxP99Ratio candidate p99 / baseline p99 over the same window (in warm-up: the shadow
 *     copies' p99 / baseline p99)
 * @param minAgreementPercent shadow agreement, judged only when a shadow targets the candidate
 * @param maxInconclusive inconclusive windows in a row before the rollout pauses for a human
 * @param warmup what the candidate must show before it gets its first weight
 */
public record RolloutConfig(
    String candidate,
    String baseline,
    List<Integer> steps,
    long stepSeconds,
    long minRequests,
    double maxErrorPercent,
    double maxP99Ratio,
    double minAgreementPercent,
    int maxInconclusive,
    Warmup warmup) {

  public static final List<Integer> DEFAULT_STEPS = List.of(5, 20, 50);
  public static final long DEFAULT_STEP_SECONDS = 60;
  public static final long DEFAULT_MIN_REQUESTS = 100;
  public static final double DEFAULT_MAX_ERROR_PERCENT = 1;
  public static final double DEFAULT_MAX_P99_RATIO = 1.5;
  public static final double DEFAULT_MIN_AGREEMENT_PERCENT = 95;
  public static final int DEFAULT_MAX_INCONCLUSIVE = 3;
  static final long MAX_STEP_SECONDS = 86_400;
  static final int MAX_STEPS = 20;
  static final int MAX_INCONCLUSIVE = 100;
  static final double MAX_P99_RATIO = 100;

  static final Set<String> KEYS =
      Set.of(
          "candidate",
          "baseline",
          "steps",
          "stepSeconds",
          "minRequests",
          "maxErrorPercent",
          "maxP99Ratio",
          "minAgreementPercent",
          "maxInconclusive",
          "warmup");

  /**
   * Warm before weight: the candidate gets its first weight only when every endpoint of its track
   * passed its last readiness check for the pinned version, and, when a shadow targets it, after
   * {@code shadowRequests} shadow copies were answered and compared with their p99 at most {@code
   * maxP99Ratio} times the baseline's over the warm-up so far (0: no shadow answer waited for, no
   * p99 judged). Still not warm after {@code timeoutSeconds}: the rollout pauses for a human.
   */
  public record Warmup(long shadowRequests, long timeoutSeconds) {
    public static final long DEFAULT_SHADOW_REQUESTS = 100;
    public static final long DEFAULT_TIMEOUT_SECONDS = 600;
    public static final Warmup DEFAULTS =
        new Warmup(DEFAULT_SHADOW_REQUESTS, DEFAULT_TIMEOUT_SECONDS);
    static final Set<String> KEYS = Set.of("shadowRequests", "timeoutSeconds");

    public Warmup {
      check(
          shadowRequests >= 0 && shadowRequests <= 1_000_000,
          "warmup.shadowRequests",
          "0..1000000",
          shadowRequests);
      check(
          timeoutSeconds >= 1 && timeoutSeconds <= MAX_STEP_SECONDS,
          "warmup.timeoutSeconds",
          "1.." + MAX_STEP_SECONDS,
          timeoutSeconds);
    }

    JsonObject toJson() {
      return new JsonObject()
          .put("shadowRequests", shadowRequests)
          .put("timeoutSeconds", timeoutSeconds);
    }
  }

  public RolloutConfig {
    if (candidate == null || candidate.isBlank()) {
      throw new IllegalArgumentException(
          "rollout.candidate: required (the track whose weight grows)");
    }
    if (baseline == null || baseline.isBlank()) {
      throw new IllegalArgumentException(
          "rollout.baseline: required (the track it is compared with)");
    }
    if (candidate.equals(baseline)) {
      throw new IllegalArgumentException(
          "rollout.baseline: must differ from rollout.candidate, both are '" + candidate + "'");
    }
    Objects.requireNonNull(steps, "rollout.steps");
    steps = List.copyOf(steps);
    if (steps.isEmpty() || steps.size() > MAX_STEPS) {
      throw new IllegalArgumentException(
          "rollout.steps: must list 1.." + MAX_STEPS + " weights, was " + steps);
    }
    int previous = 0;
    for (int i = 0; i < steps.size(); i++) {
      int w = steps.get(i);
      if (w < 1 || w > 99) {
        throw new IllegalArgumentException(
            "rollout.steps["
                + i
                + "]: must be 1..99 (promotion to 100 follows "
                + "the last step), was "
                + w);
      }
      if (w <= previous) {
        throw new IllegalArgumentException(
            "rollout.steps["
                + i
                + "]: must be greater than the step before ("
                + previous
                + "), was "
                + w);
      }
      previous = w;
    }
    check(
        stepSeconds >= 1 && stepSeconds <= MAX_STEP_SECONDS,
        "stepSeconds",
        "1.." + MAX_STEP_SECONDS,
        stepSeconds);
    check(
        minRequests >= 1 && minRequests <= 100_000_000, "minRequests", "1..100000000", minRequests);
    check(
        maxErrorPercent >= 0 && maxErrorPercent <= 100,
        "maxErrorPercent",
        "0..100",
        maxErrorPercent);
    check(
        maxP99Ratio >= 1 && maxP99Ratio <= MAX_P99_RATIO,
        "maxP99Ratio",
        "1.." + (int) MAX_P99_RATIO,
        maxP99Ratio);
    check(
        minAgreementPercent >= 0 && minAgreementPercent <= 100,
        "minAgreementPercent",
        "0..100",
        minAgreementPercent);
    check(
        maxInconclusive >= 1 && maxInconclusive <= MAX_INCONCLUSIVE,
        "maxInconclusive",
        "1.." + MAX_INCONCLUSIVE,
        maxInconclusive);
    Objects.requireNonNull(warmup, "rollout.warmup");
  }

  private static void check(boolean ok, String field, String range, Object value) {
    if (!ok) {
      throw new IllegalArgumentException(
          "rollout." + field + ": must be " + range + ", was " + value);
    }
  }

  /** The defaults of every field but candidate and baseline. */
  public static RolloutConfig defaults(String candidate, String baseline) {
    return new RolloutConfig(
        candidate,
        baseline,
        DEFAULT_STEPS,
        DEFAULT_STEP_SECONDS,
        DEFAULT_MIN_REQUESTS,
        DEFAULT_MAX_ERROR_PERCENT,
        DEFAULT_MAX_P99_RATIO,
        DEFAULT_MIN_AGREEMENT_PERCENT,
        DEFAULT_MAX_INCONCLUSIVE,
        Warmup.DEFAULTS);
  }

  /** The weight of step {@code number} (1-based). */
  public int weightOfStep(int number) {
    return steps.get(number - 1);
  }

  /** The same keys as the YAML block; {@link #fromJson} reads it back. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("candidate", candidate)
        .put("baseline", baseline)
        .put("steps", new JsonArray(new ArrayList<>(steps)))
        .put("stepSeconds", stepSeconds)
        .put("minRequests", minRequests)
        .put("maxErrorPercent", maxErrorPercent)
        .put("maxP99Ratio", maxP99Ratio)
        .put("minAgreementPercent", minAgreementPercent)
        .put("maxInconclusive", maxInconclusive)
        .put("warmup", warmup.toJson());
  }

  /**
   * {@code base} (null: defaults, then {@code json} must name candidate and baseline) with the
   * fields {@code json} sets: the admin API's start overrides, and the saved rollout of the state
   * file.
   *
   * @throws IllegalArgumentException naming the field (under {@code rollout.}) and the bad value
   */
  public static RolloutConfig fromJson(JsonObject json, RolloutConfig base) {
    Map<String, Object> raw = new LinkedHashMap<>();
    json.forEach(e -> raw.put(e.getKey(), jsonToYaml(e.getValue())));
    try {
      return parse(YamlMap.root(Map.of("rollout", raw)).map("rollout"), base);
    } catch (ConfigException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  private static Object jsonToYaml(Object value) {
    if (value instanceof JsonObject o) {
      Map<String, Object> map = new LinkedHashMap<>();
      o.forEach(e -> map.put(e.getKey(), jsonToYaml(e.getValue())));
      return map;
    }
    if (value instanceof JsonArray a) {
      List<Object> list = new ArrayList<>();
      a.forEach(v -> list.add(jsonToYaml(v)));
      return list;
    }
    return value;
  }

  /** The block at {@code m} over {@code base} (null: the defaults). */
  static RolloutConfig parse(YamlMap m, RolloutConfig base) throws ConfigException {
    m.rejectUnknown(KEYS);
    try {
      String candidate =
          m.has("candidate") ? m.string("candidate", null) : base == null ? null : base.candidate();
      String baseline =
          m.has("baseline") ? m.string("baseline", null) : base == null ? null : base.baseline();
      if (candidate == null) {
        throw new ConfigException(
            m.field("candidate") + ": required (the track whose weight grows)");
      }
      if (baseline == null) {
        throw new ConfigException(
            m.field("baseline") + ": required (the track it is compared with)");
      }
      RolloutConfig b = base != null ? base : defaults(candidate, baseline);
      YamlMap w = m.mapOrEmpty("warmup");
      w.rejectUnknown(Warmup.KEYS);
      Warmup warmup =
          new Warmup(
              w.integer("shadowRequests", b.warmup().shadowRequests(), 0, 1_000_000),
              w.integer("timeoutSeconds", b.warmup().timeoutSeconds(), 1, MAX_STEP_SECONDS));
      return new RolloutConfig(
          candidate,
          baseline,
          m.has("steps") ? steps(m) : b.steps(),
          m.integer("stepSeconds", b.stepSeconds(), 1, MAX_STEP_SECONDS),
          m.integer("minRequests", b.minRequests(), 1, 100_000_000),
          number(m, "maxErrorPercent", b.maxErrorPercent()),
          number(m, "maxP99Ratio", b.maxP99Ratio()),
          number(m, "minAgreementPercent", b.minAgreementPercent()),
          (int) m.integer("maxInconclusive", b.maxInconclusive(), 1, MAX_INCONCLUSIVE),
          warmup);
    } catch (IllegalArgumentException e) {
      // The record's own checks name "rollout.<field>"; give them the whole path.
      String prefix =
          m.path().endsWith("rollout")
              ? m.path().substring(0, m.path().length() - "rollout".length())
              : "";
      throw new ConfigException(prefix + e.getMessage());
    }
  }

  private static List<Integer> steps(YamlMap m) throws ConfigException {
    List<Integer> steps = new ArrayList<>();
    List<?> raw = m.list("steps");
    for (int i = 0; i < raw.size(); i++) {
      Object v = raw.get(i);
      if (!(v instanceof Integer n)) {
        throw new ConfigException(
            m.field("steps")
                + "["
                + i
                + "]: must be an integer weight 1..99, was "
                + YamlMap.describe(v));
      }
      steps.add(n);
    }
    return steps;
  }

  private static double number(YamlMap m, String key, double fallback) throws ConfigException {
    Object v = m.raw(key);
    if (v == null) {
      return fallback;
    }
    if (v instanceof Number n && Double.isFinite(n.doubleValue())) {
      return n.doubleValue();
    }
    throw new ConfigException(m.field(key) + ": must be a number, was " + YamlMap.describe(v));
  }
}
