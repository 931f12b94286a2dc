package dev.infergate.telemetry;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * {@code tracing: { otlpEndpoint, sampleRatio }} of router.yaml and model-server.yaml: where spans
 * go (OTLP/HTTP protobuf, {@code <otlpEndpoint>/v1/traces}) and which share of new traces is kept.
 * Off ({@link #OFF}, the default) when no endpoint is set. Validated here; errors are {@link
 * IllegalArgumentException}s that name the field and the bad value.
 *
 * @param otlpEndpoint the collector's base URL (http or https), without {@code /v1/traces}; null
 *     when off
 * @param sampleRatio 0..1: the share of traces started here that are recorded; a caller's sampled
 *     flag wins
 */
public record TracingConfig(String otlpEndpoint, double sampleRatio) {
  /** Every trace is recorded unless the caller's traceparent says it is not sampled. */
  public static final double DEFAULT_SAMPLE_RATIO = 1.0;

  /** No tracing: a no-op tracer, nothing exported. */
  public static final TracingConfig OFF = new TracingConfig(null, DEFAULT_SAMPLE_RATIO);

  public TracingConfig {
    if (!(sampleRatio >= 0 && sampleRatio <= 1)) {
      throw new IllegalArgumentException("tracing.sampleRatio: must be 0..1, was " + sampleRatio);
    }
    if (otlpEndpoint != null) {
      otlpEndpoint = checkedUrl(otlpEndpoint);
    }
  }

  /** Whether spans are made and exported. */
  public boolean enabled() {
    return otlpEndpoint != null;
  }

  /** Where spans are POSTed. */
  public String tracesUrl() {
    return otlpEndpoint + "/v1/traces";
  }

  private static String checkedUrl(String value) {
    String bad =
        "tracing.otlpEndpoint: must be an http(s) URL such as http://jaeger:4318, was '"
            + value
            + "'";
    URI uri;
    try {
      uri = new URI(value.trim());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(bad);
    }
    String scheme = uri.getScheme();
    if (scheme == null
        || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
        || uri.getHost() == null
        || uri.getRawQuery() != null
        || uri.getRawFragment() != null
        || uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException(bad);
    }
    String s = uri.toString();
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }
}
