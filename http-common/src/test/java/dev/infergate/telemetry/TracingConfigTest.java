package dev.infergate.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.trace.Span;
import org.junit.jupiter.api.Test;

class TracingConfigTest {
  @Test
  void anHttpEndpointIsTakenWithoutATrailingSlashAndSpansGoToV1Traces() {
    TracingConfig config = new TracingConfig("http://jaeger:4318/", 0.25);
    assertTrue(config.enabled());
    assertEquals("http://jaeger:4318/v1/traces", config.tracesUrl());
  }

  @Test
  void aBadEndpointOrRatioIsRefusedNamingTheFieldAndValue() {
    for (String bad :
        new String[] {
          "jaeger:4318", "ftp://jaeger:4318", "http://", "http://h:4318?x=1", "not a url"
        }) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> new TracingConfig(bad, 1.0), bad);
      assertTrue(
          e.getMessage().startsWith("tracing.otlpEndpoint") && e.getMessage().contains(bad),
          e.getMessage());
    }
    for (double bad : new double[] {-0.1, 1.5, Double.NaN}) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class, () -> new TracingConfig("http://h:4318", bad));
      assertTrue(e.getMessage().startsWith("tracing.sampleRatio"), e.getMessage());
    }
  }

  @Test
  void offHandsOutTheNoOpSpanAndNoTraceparent() {
    assertFalse(TracingConfig.OFF.enabled());
    Tracing tracing = Tracing.start(TracingConfig.OFF, "test");
    assertSame(Tracing.OFF, tracing);
    Span span = tracing.startServer("x", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    assertSame(Span.getInvalid(), span);
    assertNull(Tracing.traceparent(span));
  }

  @Test
  void aTraceparentIsParsedOrRefused() {
    assertEquals(
        "4bf92f3577b34da6a3ce929d0e0e4736",
        Tracing.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").getTraceId());
    assertNull(Tracing.parse("00-00000000000000000000000000000000-00f067aa0ba902b7-01"));
    assertNull(Tracing.parse("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"));
    assertNull(Tracing.parse("garbage"));
    assertNull(Tracing.parse(null));
  }
}
