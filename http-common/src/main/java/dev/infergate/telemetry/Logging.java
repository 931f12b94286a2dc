package dev.infergate.telemetry;

import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import java.util.logging.Logger;

/**
 * Switches the process's java.util.logging output to JSON lines. Call once at start, before
 * serving.
 */
public final class Logging {
  private Logging() {}

  /**
   * Applies {@code format}: JSON puts {@link JsonLogFormatter} on every root handler; TEXT leaves
   * them.
   */
  public static void apply(LogFormat format) {
    if (format == LogFormat.JSON) {
      useJson();
    }
  }

  /**
   * Every handler of the root logger formats JSON lines (a console handler is added when there is
   * none).
   */
  public static synchronized void useJson() {
    Logger root = Logger.getLogger("");
    Handler[] handlers = root.getHandlers();
    if (handlers.length == 0) {
      root.addHandler(new ConsoleHandler());
      handlers = root.getHandlers();
    }
    for (Handler handler : handlers) {
      handler.setFormatter(new JsonLogFormatter());
    }
    LogContext.enable();
  }
}
