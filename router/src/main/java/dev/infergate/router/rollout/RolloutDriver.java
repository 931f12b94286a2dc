package dev.infergate.router.rollout;

import dev.infergate.router.admin.ChangeConflictException;
import dev.infergate.router.admin.ChangeRejectedException;
import dev.infergate.router.admin.RolloutApi;
import dev.infergate.router.admin.RolloutControl;
import dev.infergate.router.admin.RolloutStore;
import dev.infergate.router.admin.StoreUnavailableException;
import dev.infergate.router.cluster.RolloutLeadership;
import dev.infergate.router.config.ConfigException;
import dev.infergate.router.config.RolloutConfig;
import dev.infergate.router.config.ServiceConfig;
import dev.infergate.router.config.TrackConfig;
import dev.infergate.router.observability.RouterMetrics;
import dev.infergate.router.routing.RoutingState;
import dev.infergate.router.routing.ServiceRoute;
import dev.infergate.router.routing.TrackRoute;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Drives every service's automated rollout: a periodic timer on one event loop hands each tick to a
 * worker (a tick may write the audit log and the state file), which runs {@link RolloutMachine} on
 * the services this router {@link RolloutLeadership leads} and commits each transition through its
 * {@link RolloutStore} (audited as {@code rollout}, saved, then put in force) before it counts: a
 * transition that cannot be saved is retried at the next tick. The admin API's start, pause, resume
 * and abort go through the same lock. Each tick first takes the persisted state the store holds
 * where it is not the one this driver last saw: with {@code cluster}, that is how a replica follows
 * the rollout another one drives, takes over from the persisted step when it gets the lease, and
 * sees an operator's pause made through another replica. State reads ({@link #status}, metrics) are
 * lock-free.
 */
public final class RolloutDriver implements RolloutApi, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(RolloutDriver.class.getName());

  /** Who automatic transitions are audited as. */
  public static final String SUBJECT = "rollout";

  /**
   * Ticks are cheap (a few snapshots); 200 ms keeps a 1 s step's hold within a fifth of a second.
   */
  static final long TICK_MILLIS = 200;

  private final RolloutStore store;
  private final RoutingState routing;
  private final RouterMetrics metrics;
  private final RolloutMetrics meters;
  private final AgreementSource agreement;
  private final RolloutLeadership leadership;
  private final LongSupplier clock;
  private final Map<String, RolloutState> states = new ConcurrentHashMap<>();

  /**
   * Per service, the persisted state {@link #states} was taken from or last saved as. Guarded by
   * this.
   */
  private final Map<String, JsonObject> seen = new ConcurrentHashMap<>();

  private final AtomicBoolean ticking = new AtomicBoolean();
  private Vertx vertx;
  private long timer = -1;

  private RolloutDriver(
      RolloutStore store,
      RoutingState routing,
      RouterMetrics metrics,
      AgreementSource agreement,
      RolloutLeadership leadership,
      LongSupplier clock) {
    this.store = store;
    this.routing = routing;
    this.metrics = metrics;
    this.meters = new RolloutMetrics(metrics.registry());
    this.agreement = agreement;
    this.leadership = leadership;
    this.clock = clock;
  }

  /**
   * Reads the rollouts saved in {@code store}: a router restarted mid-rollout goes on at the same
   * step with the same weights (already restored by the store); the step is held afresh.
   *
   * @param clock milliseconds, monotonic
   * @throws ConfigException when a saved rollout is invalid (the router does not start, as for any
   *     invalid state file)
   */
  public static RolloutDriver restore(
      RolloutStore store,
      RoutingState routing,
      RouterMetrics metrics,
      AgreementSource agreement,
      RolloutLeadership leadership,
      LongSupplier clock)
      throws ConfigException {
    RolloutDriver driver = new RolloutDriver(store, routing, metrics, agreement, leadership, clock);
    for (Map.Entry<String, JsonObject> saved : store.rollouts().entrySet()) {
      String service = saved.getKey();
      RolloutState state;
      try {
        state = RolloutState.fromJson(saved.getValue(), "services." + service + ".rollout");
      } catch (IllegalArgumentException e) {
        throw new ConfigException("state file: " + e.getMessage());
      }
      driver.states.put(service, state);
      driver.seen.put(service, saved.getValue());
      if (state.phase().active()) {
        LOG.info(
            "rollout of service "
                + service
                + " resumes: "
                + state.phase().jsonName()
                + ", step "
                + state.step());
      }
    }
    for (ServiceRoute s : routing.current().services()) {
      if (s.config().rollout() != null || driver.states.containsKey(s.name())) {
        driver.meters.register(
            s.name(), driver::state, track -> driver.weightInForce(s.name(), track));
      }
    }
    return driver;
  }

  /** Starts ticking every {@value #TICK_MILLIS} ms on one of {@code vertx}'s event loops. */
  public void start(Vertx v) {
    this.vertx = v;
    timer =
        v.setPeriodic(
            TICK_MILLIS,
            id -> {
              if (ticking.compareAndSet(false, true)) {
                v.executeBlocking(
                        () -> {
                          tick();
                          return null;
                        },
                        false)
                    .onComplete(
                        ar -> {
                          ticking.set(false);
                          if (ar.failed()) {
                            LOG.log(Level.WARNING, "rollout tick failed", ar.cause());
                          }
                        });
              }
            });
  }

  @Override
  public void close() {
    if (vertx != null && timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  /** One tick of every rollout under way that this router leads. Blocking (commits); serialised. */
  synchronized void tick() {
    follow();
    long now = clock.getAsLong();
    for (Map.Entry<String, RolloutState> e : states.entrySet()) {
      String service = e.getKey();
      RolloutState state = e.getValue();
      if (!state.phase().active() || !leadership.leads(service)) {
        continue;
      }
      try {
        Transition t = missingTracks(service, state);
        if (t == null) {
          t =
              RolloutMachine.tick(
                  state, now, new RoutingSignals(service, routing, metrics, agreement));
        }
        if (t != null) {
          apply(service, t, SUBJECT);
        }
      } catch (RolloutControl.ChangeNotRecordedException | StoreUnavailableException ex) {
        LOG.warning(
            "rollout of service "
                + service
                + ": transition not saved, retried at the next tick: "
                + ex.getMessage());
      } catch (ChangeRejectedException ex) {
        LOG.warning("rollout of service " + service + ": transition refused: " + ex.getMessage());
      }
    }
  }

  /**
   * Takes every persisted state that differs from the one this driver last saw (another replica or
   * an operator elsewhere moved it); its step is held afresh. Caller holds the lock.
   */
  private void follow() {
    for (Map.Entry<String, JsonObject> saved : store.rollouts().entrySet()) {
      String service = saved.getKey();
      if (saved.getValue().equals(seen.get(service))) {
        continue;
      }
      RolloutState state;
      try {
        state = RolloutState.fromJson(saved.getValue(), "rollouts." + service);
      } catch (IllegalArgumentException e) {
        LOG.warning(
            "rollout of service "
                + service
                + ": ignoring an invalid persisted state: "
                + e.getMessage());
        seen.put(service, saved.getValue());
        continue;
      }
      states.put(service, state);
      seen.put(service, saved.getValue());
      meters.register(service, this::state, track -> weightInForce(service, track));
      if (state.config() != null) {
        meters.candidate(
            service, state.config().candidate(), track -> weightInForce(service, track));
      }
    }
  }

  /**
   * The persisted state where it moved since this driver last saw it, else this driver's.
   * Non-blocking.
   */
  private RolloutState view(String service) {
    JsonObject saved = store.rollouts().get(service);
    if (saved != null && !saved.equals(seen.get(service))) {
      try {
        return RolloutState.fromJson(saved, "rollouts." + service);
      } catch (IllegalArgumentException e) {
        return state(service);
      }
    }
    return state(service);
  }

  /**
   * A config reload removed the service or one of the rollout's tracks: pause (once) rather than
   * guess.
   */
  private Transition missingTracks(String service, RolloutState state) {
    ServiceRoute route = routing.current().service(service);
    RolloutConfig c = state.config();
    String missing =
        route == null
            ? "service " + service
            : route.track(c.candidate()) == null
                ? "track " + c.candidate()
                : route.track(c.baseline()) == null ? "track " + c.baseline() : null;
    if (missing == null || state.phase() == Phase.PAUSED) {
      return null;
    }
    return Transition.persisted(
        state.paused(missing + " is no longer configured: paused for a human"),
        null,
        "rollout-pause");
  }

  @Override
  public JsonObject status(String service) {
    RolloutState state = view(service);
    JsonObject json = state.toJson();
    ServiceRoute route = routing.current().service(service);
    if (route != null) {
      JsonObject weights = new JsonObject();
      for (TrackRoute t : route.tracks()) {
        weights.put(t.name(), t.config().weight());
      }
      json.put("weights", weights);
    }
    if (state.config() != null) {
      json.put("candidate", state.config().candidate()).put("baseline", state.config().baseline());
    }
    if (state.phase() == Phase.RUNNING && state.windowEndsMillis() >= 0) {
      json.put("windowEndsInMillis", Math.max(0, state.windowEndsMillis() - clock.getAsLong()));
    }
    return json.put("service", service).put("leader", leadership.leads(service));
  }

  /**
   * Where the previous {@link #analysis} call left off, per service (outside controllers'
   * intervals).
   */
  private record Checkpoint(long atMillis, RolloutState.Marks marks) {}

  private final Map<String, Checkpoint> checkpoints = new ConcurrentHashMap<>();

  @Override
  public JsonObject analysis(String service) throws ChangeConflictException {
    ServiceRoute route = routing.current().service(service);
    RolloutState state = state(service);
    boolean ours = state.phase() == Phase.RUNNING && state.marks() != null;
    RolloutConfig c = ours ? state.config() : route.config().rollout();
    if (c == null) {
      throw new ChangeConflictException(
          "service "
              + service
              + " has no rollout block to judge by (candidate, "
              + "baseline, thresholds)");
    }
    if (route.track(c.candidate()) == null || route.track(c.baseline()) == null) {
      throw new ChangeConflictException(
          "service "
              + service
              + " no longer has the tracks "
              + c.candidate()
              + " and "
              + c.baseline());
    }
    long now = clock.getAsLong();
    Signals signals = new RoutingSignals(service, routing, metrics, agreement);
    Optional<AgreementCounts> shadow = signals.agreement(c.candidate());
    RolloutState.Marks current =
        new RolloutState.Marks(
            signals.outcomes(c.candidate()),
            signals.outcomes(c.baseline()),
            shadow.orElse(AgreementCounts.NONE));
    RolloutState.Marks from;
    long since;
    if (ours) {
      from = state.marks();
      since = state.sinceMillis();
    } else {
      Checkpoint previous = checkpoints.put(service, new Checkpoint(now, current));
      from = previous == null ? current : previous.marks();
      since = previous == null ? now : previous.atMillis();
    }
    Analysis a =
        Analysis.judge(
            c,
            state.step(),
            current.candidate().minus(from.candidate()),
            current.baseline().minus(from.baseline()),
            shadow.map(s -> s.minus(from.agreement())).orElse(null));
    return a.toJson()
        .put("service", service)
        .put("candidate", c.candidate())
        .put("baseline", c.baseline())
        .put("phase", state.phase().jsonName())
        .put("window", ours ? "rollout" : "sinceLastCall")
        .put("windowSeconds", Math.max(0, now - since) / 1000.0);
  }

  @Override
  public synchronized JsonObject start(String service, JsonObject overrides, String subject)
      throws Exception {
    follow();
    ServiceRoute route = routing.current().service(service);
    if (route == null) {
      throw new ChangeRejectedException("unknown service '" + service + "'");
    }
    RolloutState current = state(service);
    if (current.phase().active()) {
      throw new ChangeConflictException(
          "a rollout of service "
              + service
              + " is already "
              + current.phase().jsonName()
              + " (step "
              + current.step()
              + "); pause, resume or abort it first");
    }
    ServiceConfig config = route.config();
    RolloutConfig rollout;
    try {
      rollout = RolloutConfig.fromJson(overrides, config.rollout());
      ServiceConfig.checkRollout(config.strategy(), config.tracks(), rollout);
      ServiceConfig.checkRolloutFits(config.tracks(), rollout);
    } catch (IllegalArgumentException e) {
      throw new ChangeRejectedException(e.getMessage());
    }
    meters.register(service, this::state, track -> weightInForce(service, track));
    meters.candidate(service, rollout.candidate(), track -> weightInForce(service, track));
    return apply(service, RolloutMachine.start(rollout, subject), subject);
  }

  @Override
  public synchronized JsonObject pause(String service, String subject) throws Exception {
    follow();
    return apply(service, operator(() -> RolloutMachine.pause(state(service), subject)), subject);
  }

  @Override
  public synchronized JsonObject resume(String service, String subject) throws Exception {
    follow();
    return apply(service, operator(() -> RolloutMachine.resume(state(service), subject)), subject);
  }

  @Override
  public synchronized JsonObject abort(String service, String subject) throws Exception {
    follow();
    return apply(service, operator(() -> RolloutMachine.abort(state(service), subject)), subject);
  }

  private interface OperatorStep {
    Transition run();
  }

  private static Transition operator(OperatorStep step) throws ChangeConflictException {
    try {
      return step.run();
    } catch (IllegalStateException e) {
      throw new ChangeConflictException(e.getMessage());
    }
  }

  /**
   * Saves and audits {@code t} (when it persists), then makes it the state; answers the new status.
   */
  private JsonObject apply(String service, Transition t, String subject)
      throws ChangeRejectedException,
          StoreUnavailableException,
          RolloutControl.ChangeNotRecordedException {
    if (t.persists()) {
      Map<String, Integer> weights =
          t.candidateWeight() == null
              ? null
              : weights(
                  routing.current().service(service).config(),
                  t.state().config(),
                  t.candidateWeight());
      JsonObject saved = t.state().toJson();
      store.commit(service, t.action(), seen.get(service), saved, weights, subject);
      JsonObject stored = store.rollouts().get(service);
      seen.put(service, stored != null ? stored : saved);
      LOG.info(
          "rollout of service "
              + service
              + ": "
              + t.state().phase().jsonName()
              + ", step "
              + t.state().step()
              + (weights == null ? "" : ", weights " + weights)
              + ": "
              + t.state().reason());
    }
    states.put(service, t.state());
    if (t.analysis() != null) {
      meters.analysed(service, t.analysis().verdict());
    }
    return status(service);
  }

  /**
   * Every track's weight with the candidate at {@code candidateWeight}: tracks other than candidate
   * and baseline keep theirs and the baseline takes the rest; at 100 (promotion) every other track
   * gets 0.
   */
  static Map<String, Integer> weights(ServiceConfig service, RolloutConfig c, int candidateWeight)
      throws ChangeRejectedException {
    Map<String, Integer> weights = new LinkedHashMap<>();
    int others = 0;
    for (TrackConfig t : service.tracks()) {
      if (!t.name().equals(c.candidate()) && !t.name().equals(c.baseline())) {
        int w = candidateWeight == 100 ? 0 : t.weight();
        weights.put(t.name(), w);
        others += w;
      }
    }
    int baseline = 100 - others - candidateWeight;
    if (baseline < 0) {
      throw new ChangeRejectedException(
          "candidate weight "
              + candidateWeight
              + " does not fit beside the other tracks' "
              + others);
    }
    weights.put(c.candidate(), candidateWeight);
    weights.put(c.baseline(), baseline);
    return weights;
  }

  RolloutState state(String service) {
    return states.getOrDefault(service, RolloutState.IDLE);
  }

  private int weightInForce(String service, String track) {
    ServiceRoute route = routing.current().service(service);
    TrackRoute t = route == null ? null : route.track(track);
    return t == null ? 0 : t.config().weight();
  }
}
