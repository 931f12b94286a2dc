package dev.infergate.telemetry;

import dev.infergate.http.JsonError;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * One JSON object a line: {@code time} (ISO-8601 UTC), {@code level}, {@code logger}, {@code
 * message}, {@code thread}, and, where known, {@code requestId} and {@code traceId} ({@link
 * LogContext}); a record with a throwable adds {@code error} (class and message) and {@code stack}.
 * Client errors are logged without a throwable by both services, so they never carry a stack.
 * Thread-safe.
 */
public final class JsonLogFormatter extends Formatter {
  @Override
  public String format(LogRecord record) {
    StringBuilder b = new StringBuilder(256);
    b.append("{\"time\":\"").append(Instant.ofEpochMilli(record.getMillis())).append('"');
    JsonError.field(b, "level", record.getLevel().getName());
    JsonError.field(b, "logger", record.getLoggerName());
    JsonError.field(b, "message", formatMessage(record));
    JsonError.field(b, "thread", Thread.currentThread().getName());
    LogContext.Ids ids = LogContext.current();
    if (ids != null) {
      JsonError.field(b, "requestId", ids.requestId());
      JsonError.field(b, "traceId", ids.traceId());
    }
    Throwable thrown = record.getThrown();
    if (thrown != null) {
      JsonError.field(b, "error", thrown.toString());
      StringWriter stack = new StringWriter();
      thrown.printStackTrace(new PrintWriter(stack));
      JsonError.field(b, "stack", stack.toString());
    }
    return b.append("}\n").toString();
  }
}
