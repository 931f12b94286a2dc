package dev.infergate.telemetry;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;

/**
 * The request and trace id of the request a thread is handling, for the log. Kept in the local data
 * of the request's Vert.x context (Vert.x runs each HTTP request on its own duplicated context,
 * which also follows the request's callbacks), so log calls anywhere in that request's handling see
 * it without passing it along. Binding is a no-op until {@link Logging#useJson()} enabled it, so
 * the text log costs nothing. Threading: call on the request's context; {@link #current()} from any
 * thread (it is empty off Vert.x contexts, e.g. on inference workers).
 */
public final class LogContext {
  /** What the log knows about the request being handled; either id may be null. */
  public record Ids(String requestId, String traceId) {}

  private static final Object KEY = new Object();
  private static volatile boolean enabled;

  private LogContext() {}

  static void enable() {
    enabled = true;
  }

  /** Whether ids are being kept (the JSON log is on). */
  public static boolean enabled() {
    return enabled;
  }

  /**
   * Binds the ids to the current request's context.
   *
   * @param traceparent a W3C traceparent header, or null; its trace id is kept when it is well
   *     formed
   */
  public static void bind(String requestId, String traceparent) {
    if (!enabled) {
      return;
    }
    Context context = Vertx.currentContext();
    // Only a duplicated context belongs to one request; an event loop's own context is shared by
    // all.
    if (context instanceof ContextInternal internal && internal.isDuplicate()) {
      internal.localContextData().put(KEY, new Ids(printable(requestId), traceId(traceparent)));
    }
  }

  /** The ids bound to the current context, or null. */
  public static Ids current() {
    if (!enabled) {
      return null;
    }
    Context context = Vertx.currentContext();
    return context instanceof ContextInternal internal && internal.isDuplicate()
        ? (Ids) internal.localContextData().get(KEY)
        : null;
  }

  /** A client's request id as the log may show it: 1..128 printable ASCII characters, else null. */
  private static String printable(String id) {
    if (id == null || id.isEmpty() || id.length() > 128) {
      return null;
    }
    for (int i = 0; i < id.length(); i++) {
      if (id.charAt(i) < 0x21 || id.charAt(i) > 0x7e) {
        return null;
      }
    }
    return id;
  }

  /**
   * The 32-hex trace id of a W3C traceparent ({@code 00-<trace id>-<parent id>-<flags>}), or null.
   */
  public static String traceId(String traceparent) {
    if (traceparent == null
        || traceparent.length() < 55
        || traceparent.charAt(2) != '-'
        || traceparent.charAt(35) != '-') {
      return null;
    }
    for (int i = 3; i < 35; i++) {
      char c = traceparent.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
        return null;
      }
    }
    return traceparent.substring(3, 35);
  }
}
