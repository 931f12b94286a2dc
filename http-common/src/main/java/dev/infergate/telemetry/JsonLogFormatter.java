package dev.infergate.telemetry;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * One JSON object a line: {@code time} (ISO-8601 UTC), {@code level}, {@code logger}, {@code message},
 * {@code thread}, and, where known, {@code requestId} and {@code traceId} ({@link LogContext}); a record
 * with a throwable adds {@code error} (class and message) and {@code stack}. Client errors are logged
 * without a throwable by both services, so they never carry a stack. Thread-safe.
 */
public final class JsonLogFormatter extends Formatter {
  @Override
  public String format(LogRecord record) {
    StringBuilder b = new StringBuilder(256);
    b.append("{\"time\":\"").append(Instant.ofEpochMilli(record.getMillis())).append('"');
    field(b, "level", record.getLevel().getName());
    field(b, "logger", record.getLoggerName());
    field(b, "message", formatMessage(record));
    field(b, "thread", Thread.currentThread().getName());
    LogContext.Ids ids = LogContext.current();
    if (ids != null) {
      field(b, "requestId", ids.requestId());
      field(b, "traceId", ids.traceId());
    }
    Throwable thrown = record.getThrown();
    if (thrown != null) {
      field(b, "error", thrown.toString());
      StringWriter stack = new StringWriter();
      thrown.printStackTrace(new PrintWriter(stack));
      field(b, "stack", stack.toString());
    }
    return b.append("}\n").toString();
  }

  private static void field(StringBuilder b, String name, String value) {
    if (value == null) {
      return;
    }
    b.append(",\"").append(name).append("\":\"");
    escape(b, value);
    b.append('"');
  }

  /** JSON string escaping (RFC 8259): quotes, backslashes and every control character. */
  static void escape(StringBuilder b, String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x2028 || c == 0x2029) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
  }
}
