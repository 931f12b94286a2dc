package dev.infergate.modelserver.testsupport;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Collects what the server logs (java.util.logging, every logger) while it is open. */
public final class LogCapture extends Handler implements AutoCloseable {
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();

  private LogCapture() {
    setLevel(Level.ALL);
  }

  public static LogCapture start() {
    LogCapture capture = new LogCapture();
    Logger.getLogger("").addHandler(capture);
    return capture;
  }

  /** Records at {@code level} or above, as "LEVEL logger: message [exception]" lines. */
  public List<String> atLeast(Level level) {
    return records.stream()
        .filter(r -> r.getLevel().intValue() >= level.intValue())
        .map(
            r ->
                r.getLevel()
                    + " "
                    + r.getLoggerName()
                    + ": "
                    + r.getMessage()
                    + (r.getThrown() == null ? "" : " [" + r.getThrown() + "]"))
        .toList();
  }

  @Override
  public void publish(LogRecord record) {
    records.add(record);
  }

  @Override
  public void flush() {}

  @Override
  public void close() {
    Logger.getLogger("").removeHandler(this);
  }
}
