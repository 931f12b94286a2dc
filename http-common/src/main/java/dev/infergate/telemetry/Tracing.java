package dev.infergate.telemetry;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.util.concurrent.TimeUnit;

/**
 * A service's tracer: the OpenTelemetry SDK configured in code from {@link TracingConfig},
 * exporting over OTLP/HTTP through a {@link BatchSpanProcessor} (its own thread: ending a span only
 * queues it, so an event loop never waits on the collector; a full queue drops spans). {@link #OFF}
 * hands out the no-op tracer and invalid spans, which allocate nothing. Spans are made by hand (see
 * DESIGN.md for why not vertx-opentelemetry) and carried between services by the W3C {@code
 * traceparent} header.
 *
 * <p>Threading: all methods are thread-safe; {@link #close} blocks (up to a few seconds, flushing),
 * so call it off event loops, at shutdown.
 */
public final class Tracing implements AutoCloseable {
  /** No tracing. */
  public static final Tracing OFF = new Tracing(null, TracerProvider.noop().get("infergate"));

  private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");
  private final SdkTracerProvider provider;
  private final Tracer tracer;

  private Tracing(SdkTracerProvider provider, Tracer tracer) {
    this.provider = provider;
    this.tracer = tracer;
  }

  /** The tracer for {@code config}; {@link #OFF} when it is off. */
  public static Tracing start(TracingConfig config, String serviceName) {
    if (!config.enabled()) {
      return OFF;
    }
    OtlpHttpSpanExporter exporter =
        OtlpHttpSpanExporter.builder()
            .setEndpoint(config.tracesUrl())
            .setTimeout(5, TimeUnit.SECONDS)
            .build();
    SdkTracerProvider provider =
        SdkTracerProvider.builder()
            .setResource(
                Resource.getDefault()
                    .merge(Resource.create(Attributes.of(SERVICE_NAME, serviceName))))
            .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(config.sampleRatio())))
            .addSpanProcessor(
                BatchSpanProcessor.builder(exporter)
                    .setScheduleDelay(500, TimeUnit.MILLISECONDS)
                    .build())
            .build();
    return new Tracing(provider, provider.get("dev.infergate"));
  }

  /** Whether spans are recorded at all; when false every span is the no-op one. */
  public boolean enabled() {
    return provider != null;
  }

  public Tracer tracer() {
    return tracer;
  }

  /**
   * A server span for a request that came with {@code traceparent} (null or malformed: a new
   * trace). {@link Span#getInvalid()} when off.
   */
  public Span startServer(String name, String traceparent) {
    if (provider == null) {
      return Span.getInvalid();
    }
    return tracer
        .spanBuilder(name)
        .setSpanKind(SpanKind.SERVER)
        .setParent(parent(traceparent))
        .startSpan();
  }

  /**
   * The context a {@code traceparent} header names, or the root context when it is null or
   * malformed.
   */
  public static Context parent(String traceparent) {
    SpanContext remote = parse(traceparent);
    return remote == null ? Context.root() : Context.root().with(Span.wrap(remote));
  }

  /** The span's W3C {@code traceparent} header value (version 00), or null for an invalid span. */
  public static String traceparent(Span span) {
    SpanContext c = span.getSpanContext();
    if (!c.isValid()) {
      return null;
    }
    return "00-" + c.getTraceId() + "-" + c.getSpanId() + "-" + c.getTraceFlags().asHex();
  }

  /** A well-formed version-00-style traceparent's remote span context, else null. */
  static SpanContext parse(String tp) {
    if (tp == null
        || tp.length() < 55
        || tp.charAt(2) != '-'
        || tp.charAt(35) != '-'
        || tp.charAt(52) != '-') {
      return null;
    }
    if (tp.startsWith("ff") || (tp.startsWith("00") && tp.length() != 55)) {
      return null;
    }
    String flags = tp.substring(53, 55);
    if (!isHex(flags) || !isHex(tp.substring(0, 2))) {
      return null;
    }
    SpanContext c =
        SpanContext.createFromRemoteParent(
            tp.substring(3, 35),
            tp.substring(36, 52),
            TraceFlags.fromHex(flags, 0),
            TraceState.getDefault());
    return c.isValid() ? c : null;
  }

  private static boolean isHex(String s) {
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  /** Flushes what is queued and stops exporting; blocks up to 5 s. Idempotent; a no-op when off. */
  @Override
  public void close() {
    if (provider != null) {
      provider.shutdown().join(5, TimeUnit.SECONDS);
    }
  }
}
