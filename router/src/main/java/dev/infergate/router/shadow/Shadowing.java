package dev.infergate.router.shadow;

import dev.infergate.router.config.ShadowConfig;
import dev.infergate.router.observability.RouterMetrics;
import dev.infergate.router.observability.ShadowMeters;
import dev.infergate.router.observability.TrackOutcomes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * The router's shadow bookkeeping, shared by every event loop: which requests get a copy (a draw
 * per request), how many copies may wait or be in flight per service ({@code shadow.maxQueued}, and
 * {@link #MAX_QUEUED_BYTES} of bodies; beyond either a copy is dropped and counted), the counts by
 * service and track pair (kept in the {@link ShadowMeters}, so {@code /metrics} and {@link #stats}
 * read the same numbers), the copies' tries by service and shadow track ({@link #tries}, for the
 * rollout's warm-up), and the last {@link #RECENT_DISAGREEMENTS} disagreeing request ids per
 * service. The copies themselves are sent by the proxy (it owns the upstream connections). Counts
 * live as long as the router and survive config reloads.
 *
 * <p>Thread-safe. {@link #sample}, {@link #admit} and {@link #stats} never block; the disagreement
 * sample is a short synchronized append, taken only on a disagreement.
 */
public final class Shadowing {
  /** Disagreeing requests kept per service for the admin API. */
  public static final int RECENT_DISAGREEMENTS = 20;

  /**
   * Bytes that waiting and in-flight copies of one service may hold (request body and kept live
   * answer): {@code maxQueued} copies of 8 MiB requests would otherwise pin gigabytes while a
   * shadow track hangs. Beyond it copies are dropped, as beyond {@code maxQueued}.
   */
  public static final long MAX_QUEUED_BYTES = 64L * 1024 * 1024;

  private final RouterMetrics metrics;
  private final RandomGenerator random;
  private final Function<String, ShadowConfig> configOf;
  private final ConcurrentHashMap<String, ServiceShadow> services = new ConcurrentHashMap<>();

  /**
   * @param random the per-request draw (tests pass a fixed sequence)
   * @param configOf a service's shadow config in the routing snapshot now in force (null: none),
   *     for {@link #stats}
   */
  public Shadowing(
      RouterMetrics metrics, RandomGenerator random, Function<String, ShadowConfig> configOf) {
    this.metrics = metrics;
    this.random = random;
    this.configOf = configOf;
  }

  /** Whether this request gets a copy: a draw below {@code percent} (0 never, 100 always). */
  public boolean sample(ShadowConfig config) {
    double p = config.percent();
    return p >= 100 || (p > 0 && random.nextDouble() * 100 < p);
  }

  /**
   * Takes a place for one copy of a request that {@code liveTrack} served; null when {@code
   * maxQueued} copies of the service are waiting or in flight, or they hold {@link
   * #MAX_QUEUED_BYTES} (the copy is then counted as dropped and must not be sent).
   *
   * @param bytes what the copy holds until it ends: the request body and the kept live answer
   */
  public Copy admit(String service, String liveTrack, ShadowConfig config, long bytes) {
    ServiceShadow s = service(service);
    ShadowMeters meters = s.meters(liveTrack, config.track());
    int now = s.inFlight.incrementAndGet();
    long held = s.bytes.addAndGet(bytes);
    if (now > config.maxQueued() || held > MAX_QUEUED_BYTES) {
      s.inFlight.decrementAndGet();
      s.bytes.addAndGet(-bytes);
      meters.dropped();
      return null;
    }
    return new Copy(service, liveTrack, config.track(), s, meters, s.tries(config.track()), bytes);
  }

  /** The service's cumulative counts for its current shadow track (all zero without a shadow). */
  public ShadowStats stats(String service) {
    ShadowConfig config = configOf.apply(service);
    ServiceShadow s = services.get(service);
    if (config == null) {
      return ShadowStats.none(service);
    }
    long agreed = 0;
    long disagreed = 0;
    long errors = 0;
    long dropped = 0;
    long notComparable = 0;
    if (s != null) {
      for (Pair p : s.pairs.values()) {
        if (p.shadowTrack.equals(config.track())) {
          agreed += p.meters.agreedCount();
          disagreed += p.meters.disagreedCount();
          errors += p.meters.errorCount();
          dropped += p.meters.droppedCount();
          notComparable += p.meters.notComparableCount();
        }
      }
    }
    return new ShadowStats(
        service,
        config.track(),
        agreed + disagreed,
        agreed,
        disagreed,
        errors,
        dropped,
        notComparable);
  }

  /**
   * How the copies of {@code service} sent to {@code shadowTrack} fared, cumulative since the
   * router started: one record per copy that was admitted and tried (counts, errors, and the
   * latency histogram that the rollout diffs per window). Measured as the live tracks' first tries
   * are ({@link TrackOutcomes}: from handing the request to the transport, so a wait for a
   * connection counts, to the answer's head or the failure), so a rollout can put the shadow's p99
   * beside the baseline's. {@link TrackOutcomes.Snapshot#EMPTY} when no copy went there.
   * Non-blocking; any thread.
   */
  public TrackOutcomes.Snapshot tries(String service, String shadowTrack) {
    ServiceShadow s = services.get(service);
    TrackOutcomes t = s == null ? null : s.tries.get(shadowTrack);
    return t == null ? TrackOutcomes.Snapshot.EMPTY : t.snapshot();
  }

  /** The service's last disagreeing requests, oldest first. */
  public List<Disagreement> recentDisagreements(String service) {
    ServiceShadow s = services.get(service);
    if (s == null) {
      return List.of();
    }
    synchronized (s.recent) {
      return new ArrayList<>(s.recent);
    }
  }

  /** Why the service's last failed copy failed, or null. */
  public String lastError(String service) {
    ServiceShadow s = services.get(service);
    return s == null ? null : s.lastError;
  }

  /** Copies of the service waiting or in flight now. */
  public int inFlight(String service) {
    ServiceShadow s = services.get(service);
    return s == null ? 0 : s.inFlight.get();
  }

  private ServiceShadow service(String name) {
    ServiceShadow s = services.get(name);
    if (s == null) {
      s =
          services.computeIfAbsent(
              name,
              n -> {
                ServiceShadow created = new ServiceShadow(n);
                metrics.shadowInFlight(n, created.inFlight::get);
                return created;
              });
    }
    return s;
  }

  /**
   * One admitted copy: ends exactly once, with {@link #compared}, {@link #notComparable} or {@link
   * #failed}, which counts it and frees its place. Any thread.
   */
  public static final class Copy {
    private final String service;
    private final String liveTrack;
    private final String shadowTrack;
    private final ServiceShadow owner;
    private final ShadowMeters meters;
    private final TrackOutcomes tries;
    private final long bytes;
    private final AtomicBoolean ended = new AtomicBoolean();

    private Copy(
        String service,
        String liveTrack,
        String shadowTrack,
        ServiceShadow owner,
        ShadowMeters meters,
        TrackOutcomes tries,
        long bytes) {
      this.bytes = bytes;
      this.service = service;
      this.liveTrack = liveTrack;
      this.shadowTrack = shadowTrack;
      this.owner = owner;
      this.meters = meters;
      this.tries = tries;
    }

    public String service() {
      return service;
    }

    public String shadowTrack() {
      return shadowTrack;
    }

    /**
     * The copy's try ended for its endpoint, once, where a live try would: at the answer's head, or
     * at a failure before it (for {@link #tries}).
     *
     * @param failed a 5xx (not 501), a timeout, a reset or a refused connection
     * @param nanos from handing the request to the transport to the head or the failure; negative
     *     when no try was made (no endpoint of the shadow track could take it)
     */
    public void tried(boolean failed, long nanos) {
      tries.record(failed, nanos);
    }

    /** Both answers were 2xx and have been compared: agreed, disagreed or not comparable. */
    public void compared(Agreement.Result result, String requestId, long nanos) {
      if (!end(nanos)) {
        return;
      }
      switch (result.verdict()) {
        case AGREED -> meters.agreed();
        case DISAGREED -> {
          meters.disagreed();
          owner.remember(
              new Disagreement(
                  requestId, liveTrack, shadowTrack, System.currentTimeMillis(), result.reason()));
        }
        case NOT_COMPARABLE -> meters.notComparable();
      }
    }

    /**
     * The shadow answered non-2xx, or not at all (timeout, reset, refused, no endpoint).
     *
     * @param reason for the admin API's {@code lastError}; names no address
     */
    public void failed(String reason, long nanos) {
      if (end(nanos)) {
        meters.error();
        owner.lastError = reason;
      }
    }

    private boolean end(long nanos) {
      if (!ended.compareAndSet(false, true)) {
        return false;
      }
      owner.inFlight.decrementAndGet();
      owner.bytes.addAndGet(-bytes);
      if (nanos >= 0) {
        meters.duration(nanos);
      }
      return true;
    }
  }

  private record Pair(String shadowTrack, ShadowMeters meters) {}

  private final class ServiceShadow {
    final String name;
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicLong bytes = new AtomicLong();
    final ConcurrentHashMap<String, Pair> pairs = new ConcurrentHashMap<>();

    /** By shadow track: a handful of keys, made once each. */
    final ConcurrentHashMap<String, TrackOutcomes> tries = new ConcurrentHashMap<>();

    final ArrayDeque<Disagreement> recent = new ArrayDeque<>(RECENT_DISAGREEMENTS);
    volatile String lastError;

    ServiceShadow(String name) {
      this.name = name;
    }

    ShadowMeters meters(String liveTrack, String shadowTrack) {
      String key = liveTrack + '\0' + shadowTrack;
      Pair p = pairs.get(key);
      if (p == null) {
        p =
            pairs.computeIfAbsent(
                key, k -> new Pair(shadowTrack, metrics.shadow(name, liveTrack, shadowTrack)));
      }
      return p.meters;
    }

    TrackOutcomes tries(String shadowTrack) {
      TrackOutcomes t = tries.get(shadowTrack);
      return t != null ? t : tries.computeIfAbsent(shadowTrack, k -> new TrackOutcomes());
    }

    void remember(Disagreement d) {
      synchronized (recent) {
        if (recent.size() == RECENT_DISAGREEMENTS) {
          recent.removeFirst();
        }
        recent.addLast(d);
      }
    }
  }
}
