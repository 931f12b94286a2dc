package dev.infergate.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

/** One log record, one JSON object on one line, with the ids of the request it was logged for. */
class JsonLogFormatterTest {
  private static final String TRACEPARENT =
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  @Test
  void writesOneParsableLineWithLevelTimeLoggerAndEscapedMessage() {
    LogRecord record =
        new LogRecord(Level.WARNING, "quote \" backslash \\ newline \n tab \t bell \u0007 {0}");
    record.setParameters(new Object[] {"param"});
    record.setLoggerName("dev.infergate.test");
    record.setInstant(Instant.parse("2026-12-07T20:00:00.123Z"));

    String line = new JsonLogFormatter().format(record);

    assertTrue(line.endsWith("}\n"));
    assertEquals(1, line.split("\n", -1).length - 1, "one line: " + line);
    JsonObject json = new JsonObject(line);
    assertEquals("WARNING", json.getString("level"));
    assertEquals("2026-12-07T20:00:00.123Z", json.getString("time"));
    assertEquals("dev.infergate.test", json.getString("logger"));
    assertEquals(
        "quote \" backslash \\ newline \n tab \t bell \u0007 param", json.getString("message"));
    assertFalse(json.containsKey("stack"));
  }

  @Test
  void aRecordWithAThrowableCarriesErrorAndStack() {
    LogRecord record = new LogRecord(Level.SEVERE, "failed");
    record.setThrown(new IllegalStateException("boom"));

    JsonObject json = new JsonObject(new JsonLogFormatter().format(record));

    assertEquals("java.lang.IllegalStateException: boom", json.getString("error"));
    assertTrue(
        json.getString("stack").contains("at dev.infergate.telemetry.JsonLogFormatterTest"),
        json.encode());
  }

  @Test
  void recordsLoggedWhileHandlingARequestCarryItsRequestAndTraceIdOthersNone() throws Exception {
    Logging.useJson();
    Vertx vertx = Vertx.vertx();
    try {
      ContextInternal request = ((ContextInternal) vertx.getOrCreateContext()).duplicate();
      CompletableFuture<String> logged = new CompletableFuture<>();
      request.runOnContext(
          v -> {
            LogContext.bind("req-7", TRACEPARENT);
            logged.complete(new JsonLogFormatter().format(new LogRecord(Level.INFO, "inside")));
          });
      JsonObject inside = new JsonObject(logged.get(10, TimeUnit.SECONDS));
      assertEquals("req-7", inside.getString("requestId"));
      assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", inside.getString("traceId"));

      CompletableFuture<String> other = new CompletableFuture<>();
      ((ContextInternal) vertx.getOrCreateContext())
          .duplicate()
          .runOnContext(
              v -> {
                LogContext.bind("has a space", "00-not-a-traceparent");
                other.complete(
                    new JsonLogFormatter().format(new LogRecord(Level.INFO, "another request")));
              });
      JsonObject another = new JsonObject(other.get(10, TimeUnit.SECONDS));
      assertNull(another.getString("requestId"), "an unprintable request id is not logged");
      assertNull(another.getString("traceId"));
      assertNull(
          new JsonObject(new JsonLogFormatter().format(new LogRecord(Level.INFO, "no context")))
              .getString("requestId"));
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void traceIdIsTakenOnlyFromAWellFormedTraceparent() {
    assertNull(LogContext.traceId("00-XYZ"));
    assertNull(LogContext.traceId("00-4bf92f3577b34da6a3ce929d0e0e473G-00f067aa0ba902b7-01"));
    assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", LogContext.traceId(TRACEPARENT));
  }

  @Test
  void logFormatIsTextByDefaultAndRefusesOtherValuesNamingTheField() {
    assertEquals(LogFormat.TEXT, LogFormat.DEFAULT);
    assertEquals(LogFormat.JSON, LogFormat.parse("logFormat", "JSON"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> LogFormat.parse("logFormat", "yaml"));
    assertEquals("logFormat must be text or json, was yaml", e.getMessage());
  }
}
