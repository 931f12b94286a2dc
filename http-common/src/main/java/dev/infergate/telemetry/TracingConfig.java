package dev.infergate.telemetry;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * {@code tracing: { otlpEndpoint: http://collector:4318, sampleRatio: 1.0 }} in router.yaml and
 * model-server.yaml. Without an endpoint tracing is off: no tracer is built and requests pay nothing.
 * Spans go over OTLP/HTTP (protobuf) to {@code <otlpEndpoint>/v1/traces}.
 *
 * @param otlpEndpoint base URL of an OTLP/HTTP receiver (an OpenTelemetry collector, Jaeger), or null: off
 * @param sampleRatio share of new traces recorded, in [0, 1]; a request that arrives with a sampled
 *     traceparent is recorded whatever the ratio (parent-based), so one trace is never cut in half
 */
public record TracingConfig(String otlpEndpoint, double sampleRatio) {
  public static final double DEFAULT_SAMPLE_RATIO = 1.0;
  public static final TracingConfig OFF = new TracingConfig(null, DEFAULT_SAMPLE_RATIO);

  /** @throws IllegalArgumentException naming the field and the bad value */
  public TracingConfig {
    if (!(sampleRatio >= 0 && sampleRatio <= 1)) {
      throw new IllegalArgumentException("tracing.sampleRatio must be in [0, 1], was " + sampleRatio);
    }
    if (otlpEndpoint != null) {
      URI uri;
      try {
        uri = new URI(otlpEndpoint);
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException("tracing.otlpEndpoint is not a URL: " + otlpEndpoint);
      }
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null
          || uri.getQuery() != null || uri.getFragment() != null || uri.getUserInfo() != null) {
        throw new IllegalArgumentException("tracing.otlpEndpoint must be http(s)://host[:port][/path] "
            + "(the receiver's base URL; spans go to /v1/traces under it), was " + otlpEndpoint);
      }
    }
  }

  public boolean enabled() {
    return otlpEndpoint != null;
  }

  /** Where spans are posted: the endpoint with {@code /v1/traces} appended, as OTLP/HTTP exporters do. */
  public String tracesUrl() {
    String base = otlpEndpoint.endsWith("/") ? otlpEndpoint.substring(0, otlpEndpoint.length() - 1) : otlpEndpoint;
    return base + "/v1/traces";
  }
}
