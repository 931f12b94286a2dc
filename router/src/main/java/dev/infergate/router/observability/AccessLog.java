package dev.infergate.router.observability;

import dev.infergate.http.JsonError;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Structured access log: one JSON object per line per request. Lines are queued in memory and
 * written by {@link #flush()}, which the router runs on a worker thread from a timer and at
 * shutdown, so that no event loop ever waits on stdout. Thread-safe.
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

  /**
   * Lines waiting for {@link #flush}; beyond this they are dropped (and counted), never blocking a
   * request.
   */
  static final int MAX_PENDING_BYTES = 8 * 1024 * 1024;

  private final OutputStream out;
  private final boolean enabled;
  private ByteArrayOutputStream pending = new ByteArrayOutputStream(BUFFER_BYTES);
  private long dropped;

  public AccessLog(OutputStream sink, boolean enabled) {
    this.out = sink;
    this.enabled = enabled;
  }

  public boolean enabled() {
    return enabled;
  }

  /** Queues the line in memory: no system call, so it is safe on an event loop. */
  public void log(Entry e) {
    if (!enabled) {
      return;
    }
    byte[] line = format(e).getBytes(StandardCharsets.UTF_8);
    synchronized (this) {
      if (pending.size() + line.length > MAX_PENDING_BYTES) {
        dropped++;
        return;
      }
      pending.write(line, 0, line.length);
    }
  }

  /**
   * Writes what is queued to the sink. Blocking (stdout may be a slow pipe): call it from a worker
   * thread, one flush at a time.
   */
  public void flush() {
    ByteArrayOutputStream batch;
    long lost;
    synchronized (this) {
      if (pending.size() == 0 && dropped == 0) {
        return;
      }
      batch = pending;
      lost = dropped;
      pending = new ByteArrayOutputStream(BUFFER_BYTES);
      dropped = 0;
    }
    synchronized (out) {
      try {
        batch.writeTo(out);
        if (lost > 0) {
          out.write(
              ("{\"accessLogLinesDropped\":" + lost + "}\n").getBytes(StandardCharsets.UTF_8));
        }
        out.flush();
      } catch (IOException ignored) {
        // A closed stdout must not fail requests.
      }
    }
  }

  static String format(Entry e) {
    StringBuilder b = new StringBuilder(256);
    b.append("{\"ts\":\"").append(Instant.ofEpochMilli(e.epochMillis())).append('"');
    JsonError.field(b, "requestId", e.requestId());
    JsonError.field(b, "traceparent", e.traceparent());
    JsonError.field(b, "method", e.method());
    JsonError.field(b, "path", e.path());
    b.append(",\"status\":").append(e.status());
    JsonError.field(b, "service", e.service());
    JsonError.field(b, "track", e.track());
    JsonError.field(b, "endpoint", e.endpoint());
    b.append(",\"tries\":").append(e.tries());
    b.append(",\"durationMs\":").append(e.durationNanos() / 1000 / 1000.0);
    JsonError.field(b, "error", e.error());
    return b.append("}\n").toString();
  }
}
