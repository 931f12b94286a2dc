package dev.infergate.router.observability;

/**
 * Every router metric name, its help text and its tags, in one place. Micrometer names are dotted;
 * the Prometheus registry exposes them as written in each comment.
 */
public final class MetricNames {
  /** {@code infergate_router_requests_total{service,track,status}}: answers to clients. */
  public static final String REQUESTS = "infergate.router.requests";

  /** {@code infergate_router_request_duration_seconds{service,track}}: histogram, whole request. */
  public static final String REQUEST_DURATION = "infergate.router.request.duration";

  /** {@code infergate_router_upstream_requests_total{service,track,endpoint,status}}: every try. */
  public static final String UPSTREAM_REQUESTS = "infergate.router.upstream.requests";

  /**
   * {@code infergate_router_upstream_duration_seconds{service,track,endpoint}}: histogram, one try
   * to response head.
   */
  public static final String UPSTREAM_DURATION = "infergate.router.upstream.duration";

  /**
   * {@code infergate_router_retries_total{service,track,endpoint,reason}}: tries after a failed one
   * (endpoint = the failed one).
   */
  public static final String RETRIES = "infergate.router.retries";

  /**
   * {@code infergate_router_failovers_total{service,from,to}}: requests moved to the fallback
   * track.
   */
  public static final String FAILOVERS = "infergate.router.failovers";

  /**
   * {@code infergate_router_retry_budget_exhausted_total{service}}: retries refused by the budget.
   */
  public static final String RETRY_BUDGET_EXHAUSTED = "infergate.router.retry.budget.exhausted";

  /**
   * {@code infergate_router_circuit_breaker_state{service,track,endpoint,state}}: 1 for the current
   * state, else 0.
   */
  public static final String BREAKER_STATE = "infergate.router.circuit.breaker.state";

  /**
   * {@code infergate_router_endpoint_healthy{service,track,endpoint}}: 1 when the last health
   * checks passed.
   */
  public static final String ENDPOINT_HEALTHY = "infergate.router.endpoint.healthy";

  /** {@code infergate_router_endpoint_outstanding{service,track,endpoint}}: tries in flight. */
  public static final String ENDPOINT_OUTSTANDING = "infergate.router.endpoint.outstanding";

  /**
   * {@code infergate_router_track_weight{service,track}}: percent of the service's traffic the
   * track gets now.
   */
  public static final String TRACK_WEIGHT = "infergate.router.track.weight";

  /** {@code infergate_router_config_reloads_total{result}}: result = applied | rejected. */
  public static final String CONFIG_RELOADS = "infergate.router.config.reloads";

  /**
   * {@code infergate_router_auth_failures_total{listener,reason}}: listener = proxy | admin; reason
   * = missing | invalid | forbidden.
   */
  public static final String AUTH_FAILURES = "infergate.router.auth.failures";

  /** {@code infergate_router_ratelimit_rejected_total{service}}: requests answered 429. */
  public static final String RATE_LIMITED = "infergate.router.ratelimit.rejected";

  /**
   * {@code infergate_router_admin_changes_total{action,result}}: operator changes, result = applied
   * | rejected | failed.
   */
  public static final String ADMIN_CHANGES = "infergate.router.admin.changes";

  /** {@code infergate_router_connections_open{listener}}: listener = proxy | admin. */
  public static final String CONNECTIONS_OPEN = "infergate.router.connections.open";

  /**
   * {@code infergate_router_connections_refused_total{listener}}: closed at once, the listener at
   * its cap.
   */
  public static final String CONNECTIONS_REFUSED = "infergate.router.connections.refused";

  /**
   * {@code infergate_router_read_timeouts_total{listener,phase}}: 408s for a head or body too slow;
   * phase = header | body.
   */
  public static final String READ_TIMEOUTS = "infergate.router.read.timeouts";

  /**
   * {@code infergate_router_cluster_redis_up}: 1 while the cluster's Redis answers, else 0 (only
   * with {@code cluster}).
   */
  public static final String CLUSTER_REDIS_UP = "infergate.router.cluster.redis.up";

  /**
   * {@code infergate_router_cluster_state_version}: the version of the shared routing state this
   * replica serves.
   */
  public static final String CLUSTER_STATE_VERSION = "infergate.router.cluster.state.version";

  /**
   * {@code infergate_router_ratelimit_fallback_total{reason}}: limit decisions made by the local
   * bucket; reason = down | timeout | error.
   */
  public static final String RATE_LIMIT_FALLBACK = "infergate.router.ratelimit.fallback";

  /**
   * {@code infergate_router_rollout_phase{service,phase}}: 1 for the automated rollout's current
   * phase, else 0.
   */
  public static final String ROLLOUT_PHASE = "infergate.router.rollout.phase";

  /**
   * {@code infergate_router_rollout_step{service}}: the rollout's step (1-based; 0 before the
   * first).
   */
  public static final String ROLLOUT_STEP = "infergate.router.rollout.step";

  /**
   * {@code infergate_router_rollout_weight{service,track}}: the weight in force of the rollout's
   * candidate.
   */
  public static final String ROLLOUT_WEIGHT = "infergate.router.rollout.weight";

  /**
   * {@code infergate_router_rollout_analyses_total{service,verdict}}: windows judged, verdict =
   * pass | fail | inconclusive.
   */
  public static final String ROLLOUT_ANALYSES = "infergate.router.rollout.analyses";

  /**
   * {@code infergate_shadow_requests_total{service,live_track,shadow_track,result}}: shadow copies
   * by outcome; result = agreed | disagreed | error | dropped | not_comparable (compared = agreed +
   * disagreed).
   */
  public static final String SHADOW_REQUESTS = "infergate.shadow.requests";

  /**
   * {@code infergate_shadow_duration_seconds{service,live_track,shadow_track}}: histogram, a copy
   * sent to its answer's end.
   */
  public static final String SHADOW_DURATION = "infergate.shadow.duration";

  /**
   * {@code infergate_shadow_in_flight{service}}: copies waiting or in flight (at most {@code
   * shadow.maxQueued}).
   */
  public static final String SHADOW_IN_FLIGHT = "infergate.shadow.in.flight";

  public static final String TAG_SERVICE = "service";
  public static final String TAG_TRACK = "track";
  public static final String TAG_ENDPOINT = "endpoint";
  public static final String TAG_STATUS = "status";
  public static final String TAG_REASON = "reason";
  public static final String TAG_STATE = "state";
  public static final String TAG_FROM = "from";
  public static final String TAG_TO = "to";
  public static final String TAG_RESULT = "result";
  public static final String TAG_LISTENER = "listener";
  public static final String TAG_ACTION = "action";
  public static final String TAG_LIVE_TRACK = "live_track";
  public static final String TAG_SHADOW_TRACK = "shadow_track";
  public static final String TAG_PHASE = "phase";
  public static final String TAG_VERDICT = "verdict";

  /** Tag value for requests answered before a service or track was chosen (404, 413...). */
  public static final String NONE = "-";

  /** Status tag of a try that got no response (connect failure, reset, timeout). */
  public static final String STATUS_ERROR = "error";

  private MetricNames() {}

  /**
   * The Prometheus {@code # HELP} text of a metric: {@code promtool check metrics} (and people)
   * want one for every family.
   *
   * @throws IllegalArgumentException for a name not declared here
   */
  public static String help(String name) {
    return switch (name) {
      case REQUESTS -> "Requests answered to clients, by service, track and status";
      case REQUEST_DURATION -> "Time from request start to the answer to the client";
      case UPSTREAM_REQUESTS ->
          "Tries sent to model-server endpoints, by status (error: no response)";
      case UPSTREAM_DURATION -> "Time from sending a try to its response head";
      case RETRIES -> "Tries repeated on another endpoint after this endpoint failed, by reason";
      case FAILOVERS -> "Requests moved to the service's fallback track";
      case RETRY_BUDGET_EXHAUSTED -> "Retries refused because the service's retry budget was spent";
      case BREAKER_STATE -> "Circuit breaker state of an endpoint: 1 for the current state, else 0";
      case ENDPOINT_HEALTHY -> "1 when the endpoint's last health checks passed, else 0";
      case ENDPOINT_OUTSTANDING -> "Tries in flight to the endpoint";
      case TRACK_WEIGHT ->
          "Percent of the service's traffic the track gets (canary weight; blue-green: 100 for the active track)";
      case CONFIG_RELOADS -> "Config file changes, by result (applied or rejected)";
      case AUTH_FAILURES -> "Requests refused by authentication (401) or for a missing role (403)";
      case RATE_LIMITED -> "Requests refused with 429 by a consumer's rate limit";
      case ADMIN_CHANGES -> "Operator changes through the admin API, by action and result";
      case CONNECTIONS_OPEN -> "Client connections open on the listener";
      case CONNECTIONS_REFUSED ->
          "Client connections closed at once because the listener had maxConnections open";
      case CLUSTER_REDIS_UP ->
          "1 while the cluster's Redis answers, else 0: routing keeps its last state, limits are local";
      case CLUSTER_STATE_VERSION -> "Version of the shared routing state this replica serves";
      case RATE_LIMIT_FALLBACK ->
          "Rate-limit decisions made by the local bucket instead of Redis, by reason (down, timeout, error)";
      case READ_TIMEOUTS ->
          "Connections closed (408) because a request head or body did not arrive in time, by phase";
      case SHADOW_REQUESTS ->
          "Shadow copies of live inference requests, by outcome (agreed, disagreed, error, dropped, "
              + "not_comparable)";
      case SHADOW_DURATION -> "Time from sending a shadow copy to the end of its answer";
      case SHADOW_IN_FLIGHT -> "Shadow copies waiting for a connection or in flight";
      case ROLLOUT_PHASE -> "Automated rollout phase of a service: 1 for the current phase, else 0";
      case ROLLOUT_STEP -> "Automated rollout step of a service (1-based; 0 before the first step)";
      case ROLLOUT_WEIGHT -> "Weight in force of the automated rollout's candidate track";
      case ROLLOUT_ANALYSES -> "Automated rollout analysis windows judged, by verdict";
      default -> throw new IllegalArgumentException("no help text for metric " + name);
    };
  }
}
