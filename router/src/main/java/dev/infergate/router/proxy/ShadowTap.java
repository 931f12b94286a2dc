package dev.infergate.router.proxy;

import dev.infergate.http.KServePath;
import dev.infergate.router.config.ShadowConfig;
import dev.infergate.router.routing.ServiceRoute;
import dev.infergate.router.routing.TrackRoute;
import dev.infergate.router.shadow.Agreement;
import dev.infergate.router.shadow.Answer;
import dev.infergate.router.shadow.Shadowing;
import dev.infergate.router.upstream.Endpoint;
import dev.infergate.router.upstream.EndpointGroup;
import dev.infergate.router.upstream.http.OutboundRequest;
import dev.infergate.router.upstream.http.UpstreamExchange;
import io.vertx.core.buffer.Buffer;
import java.net.ConnectException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The shadow copy of one request (DESIGN.md "Shadow, rollouts, cluster"). {@link Forwarding} asks
 * it at the live answer's head whether to copy ({@link #sample}: a 2xx from a track other than the
 * shadow track, and the draw); if so the relay keeps the live body (up to {@link
 * Answer#MAX_BYTES}), and once the client has the whole live answer ({@link #liveEnded}) the copy
 * takes a place among the service's copies ({@code shadow.maxQueued}, else it is dropped), sends
 * the same {@link OutboundRequest} once to an endpoint of the shadow track (its version pin, its
 * breakers; never retried, bounded by the service's per-try timeout), reads the answer (up to
 * {@link Answer#MAX_BYTES}) and has the two compared. So the shadow cannot delay, change or fail
 * the live answer: it starts after it and shares nothing with it but the request's bytes.
 *
 * <p>Confined to the request's event loop; the comparison of large answers runs on a worker.
 */
final class ShadowTap implements UpstreamExchange.Listener, Deadlines.Watched {
  /**
   * What the relay keeps of the live body: one byte over the cap tells an answer that was longer.
   */
  static final int CAPTURE_BYTES = Answer.MAX_BYTES + 1;

  /**
   * Answers up to this size (both together) are compared on the event loop: microseconds of JSON
   * parsing.
   */
  static final int INLINE_COMPARE_BYTES = 64 * 1024;

  private static final Logger LOG = Logger.getLogger(ShadowTap.class.getName());
  private static final Agreement.Result COMPARISON_FAILED =
      new Agreement.Result(Agreement.Verdict.NOT_COMPARABLE, "comparison failed");
  private static final String INFERENCE_HEADER_LENGTH = "inference-header-content-length";
  private static final String CONTENT_ENCODING = "content-encoding";

  private final ForwardStep env;
  private final ServiceRoute service;
  private final ShadowConfig config;
  private final KServePath path;
  private final String query;
  private final OutboundRequest request;

  // The live answer, from its head.
  private TrackRoute live;
  private String liveEncoding;
  private boolean liveBinary;
  private Answer liveAnswer;

  private Shadowing.Copy copy;
  private Endpoint endpoint;
  private UpstreamExchange exchange;
  private long start;
  private long deadline;
  private long timeoutMillis;
  private int deadlineSlot = -1;
  private boolean headSeen;
  private String encoding;
  private boolean binary;
  private Buffer body;
  private boolean overCap;
  private boolean done;

  private ShadowTap(
      ForwardStep env, ProxyContext ctx, ShadowConfig config, OutboundRequest request) {
    this.env = env;
    this.service = ctx.service;
    this.config = config;
    this.path = ctx.modelPath;
    this.query = ctx.request.query();
    this.request = request;
  }

  /**
   * The request's possible copy: when its service has a shadow and it is an inference (V2 infer, V1
   * predict); null otherwise, which is all {@link Forwarding} then looks at.
   */
  static ShadowTap open(ForwardStep env, ProxyContext ctx, OutboundRequest request) {
    ShadowConfig config = ctx.service.config().shadow();
    if (config == null || env.shadowing == null) {
      return null;
    }
    KServePath.Operation op = ctx.modelPath.operation();
    return op == KServePath.Operation.INFER || op == KServePath.Operation.PREDICT
        ? new ShadowTap(env, ctx, config, request)
        : null;
  }

  /**
   * At the live answer's head (call before it is relayed: its headers are read here): whether this
   * request gets a copy. Only 2xx answers from another track than the shadow track, then the draw.
   */
  boolean sample(TrackRoute served, UpstreamExchange liveHead) {
    int status = liveHead.statusCode();
    if (status < 200
        || status > 299
        || served.name().equals(config.track())
        || !env.shadowing.sample(config)) {
      return false;
    }
    live = served;
    liveEncoding = liveHead.header(CONTENT_ENCODING);
    liveBinary = liveHead.header(INFERENCE_HEADER_LENGTH) != null;
    return true;
  }

  /**
   * The client has the whole live answer: send the copy (or count it dropped).
   *
   * @param liveBody the first {@link #CAPTURE_BYTES} bytes of the live body, or null for an empty
   *     one
   */
  void liveEnded(Buffer liveBody) {
    Buffer kept = liveBody == null ? Buffer.buffer() : liveBody;
    copy =
        env.shadowing.admit(
            service.name(), live.name(), config, request.bodyLength() + (long) kept.length());
    if (copy == null) {
      return;
    }
    start = System.nanoTime();
    boolean liveOverCap = kept.length() > Answer.MAX_BYTES;
    Answer liveAnswer =
        new Answer(liveOverCap ? Buffer.buffer() : kept, liveOverCap, liveEncoding, liveBinary);
    try {
      send(liveAnswer);
    } catch (RuntimeException e) {
      // Whatever went wrong, the copy must end, or its place among maxQueued would never free.
      LOG.log(Level.WARNING, "shadow copy not sent", e);
      if (endpoint != null && exchange == null && !headSeen) {
        endpoint.abandoned();
      }
      end("not sent: internal error");
    }
  }

  private void send(Answer liveAnswer) {
    this.liveAnswer = liveAnswer;
    TrackRoute shadow = service.track(config.track());
    if (shadow == null) {
      // Not reachable through config validation; a reload that drops the track drops the shadow
      // with it.
      end("track '" + config.track() + "' is not configured");
      return;
    }
    EndpointGroup group = shadow.endpoints();
    int index = group.acquire(0);
    if (index < 0) {
      copy.tried(true, -1); // as a live request its chosen track could not take
      end("no endpoint of track '" + shadow.name() + "' is available");
      return;
    }
    endpoint = group.get(index);
    timeoutMillis = service.config().retry().perTryTimeoutMillis();
    deadline = start + timeoutMillis * 1_000_000L;
    deadlineSlot = env.deadlines.add(this);
    // The shadow track's pin wins over a version the client named: the point is to ask the shadow's
    // model.
    KServePath p = path;
    if (p.versioned() && shadow.config().modelVersion() != null) {
      p = new KServePath(p.protocol(), p.model(), null, p.operation());
    }
    UpstreamExchange e =
        env.transport.send(
            request,
            endpoint.host(),
            endpoint.port(),
            endpoint.authority(),
            shadow.upstreamUri(p, query),
            (int) Math.min(Integer.MAX_VALUE, timeoutMillis),
            this);
    if (!done) {
      exchange = e;
    }
  }

  @Override
  public void head(UpstreamExchange answer) {
    if (done) {
      answer.reset();
      return;
    }
    headSeen = true;
    int status = answer.statusCode();
    long nanos = System.nanoTime() - start;
    boolean failed = status >= 500 && status != 501;
    if (failed) {
      endpoint.failed(nanos, new Attempt.UpstreamStatusException(status));
    } else {
      endpoint.succeeded(nanos);
    }
    copy.tried(failed, nanos);
    if (status < 200 || status > 299) {
      exchange = null;
      answer.discard(); // read and drop the (small) error body so the connection goes back to the
      // pool
      end("the shadow answered " + status);
      return;
    }
    exchange = answer;
    encoding = answer.header(CONTENT_ENCODING);
    binary = answer.header(INFERENCE_HEADER_LENGTH) != null;
    body = Buffer.buffer();
    answer.handler(
        chunk -> {
          if (overCap) {
            return; // read on to the end (bounded by the deadline), keeping nothing
          }
          if (body.length() + chunk.length() > Answer.MAX_BYTES) {
            overCap = true;
            body = Buffer.buffer();
          } else {
            body.appendBuffer(chunk);
          }
        });
    answer.endHandler(
        v -> {
          exchange = null;
          compare();
        });
    answer.exceptionHandler(
        t -> {
          exchange = null;
          end("the shadow's answer broke off");
        });
  }

  @Override
  public void failed(Throwable cause) {
    if (done) {
      return;
    }
    exchange = null;
    long nanos = System.nanoTime() - start;
    endpoint.failed(nanos, cause);
    copy.tried(true, nanos);
    if (cause instanceof ConnectException) {
      endpoint
          .markUnreachable(); // as a live try would: stop picking it until a health check passes
    }
    end(
        cause instanceof ConnectException
            ? "connection refused"
            : "no answer (connection closed or reset)");
  }

  @Override
  public long nextDeadline() {
    return deadline;
  }

  @Override
  public void deadlinePassed(long now) {
    if (done) {
      return;
    }
    if (!headSeen) {
      endpoint.failed(now - start, new Attempt.TryTimeoutException("shadow timed out"));
      copy.tried(true, now - start);
    }
    UpstreamExchange e = exchange;
    exchange = null;
    if (e != null) {
      e.reset();
    }
    end("no answer within " + timeoutMillis + " ms");
  }

  private void compare() {
    if (done) {
      return;
    }
    finish();
    long nanos = System.nanoTime() - start;
    Answer liveSide = liveAnswer;
    Answer shadowSide = new Answer(body, overCap, encoding, binary);
    boolean v1 = path.protocol() == KServePath.Protocol.V1;
    double tolerance = config.tolerance();
    Shadowing.Copy c = copy;
    String requestId = request.requestId();
    if (liveSide.body().length() + shadowSide.body().length() <= INLINE_COMPARE_BYTES) {
      c.compared(safeCompare(liveSide, shadowSide, v1, tolerance), requestId, nanos);
      return;
    }
    env.vertx
        .executeBlocking(() -> safeCompare(liveSide, shadowSide, v1, tolerance), false)
        .onComplete(
            ar -> c.compared(ar.succeeded() ? ar.result() : COMPARISON_FAILED, requestId, nanos));
  }

  /**
   * A bug in a comparison must still end the copy, or its place among {@code maxQueued} would never
   * free.
   */
  private static Agreement.Result safeCompare(
      Answer live, Answer shadow, boolean v1, double tolerance) {
    try {
      return Answer.compare(live, shadow, v1, tolerance);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "shadow comparison failed", e);
      return COMPARISON_FAILED;
    }
  }

  /** Ends the copy as a shadow error. */
  private void end(String reason) {
    if (done) {
      return;
    }
    finish();
    copy.failed(reason, System.nanoTime() - start);
  }

  private void finish() {
    done = true;
    env.deadlines.remove(deadlineSlot);
    deadlineSlot = -1;
  }
}
