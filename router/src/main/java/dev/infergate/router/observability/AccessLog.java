package dev.infergate.router.observability;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Structured access log: one JSON object per line per request. Lines are buffered and flushed by
 * {@link #flush()} (the router calls it from a timer and at shutdown), so that the hot path does not
 * pay a write system call per request. Thread-safe.
 */
public final class AccessLog {
  /** One finished request. */
  public record Entry(
      long epochMillis,
      String requestId,
      String traceparent,
      String method,
      String path,
      int status,
      String service,
      String track,
      String endpoint,
      int tries,
      long durationNanos,
      String error) {}

  private static final int BUFFER_BYTES = 64 * 1024;
  private final OutputStream out;
  private final boolean enabled;

  public AccessLog(OutputStream sink, boolean enabled) {
    this.out = new BufferedOutputStream(sink, BUFFER_BYTES);
    this.enabled = enabled;
  }

  public boolean enabled() {
    return enabled;
  }

  public void log(Entry e) {
    if (!enabled) {
      return;
    }
    byte[] line = format(e).getBytes(StandardCharsets.UTF_8);
    synchronized (this) {
      try {
        out.write(line);
      } catch (IOException ignored) {
        // A closed stdout must not fail requests.
      }
    }
  }

  public synchronized void flush() {
    try {
      out.flush();
    } catch (IOException ignored) {
      // As above.
    }
  }

  static String format(Entry e) {
    StringBuilder b = new StringBuilder(256);
    b.append("{\"ts\":\"").append(Instant.ofEpochMilli(e.epochMillis())).append('"');
    field(b, "requestId", e.requestId());
    field(b, "traceparent", e.traceparent());
    field(b, "method", e.method());
    field(b, "path", e.path());
    b.append(",\"status\":").append(e.status());
    field(b, "service", e.service());
    field(b, "track", e.track());
    field(b, "endpoint", e.endpoint());
    b.append(",\"tries\":").append(e.tries());
    b.append(",\"durationMs\":").append(e.durationNanos() / 1000 / 1000.0);
    field(b, "error", e.error());
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
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
  }
}
