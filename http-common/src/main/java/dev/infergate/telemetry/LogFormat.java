package dev.infergate.telemetry;

import java.util.Locale;

/**
 * How a service writes its log: {@code logFormat: text} (the default) or {@code json}, one object a
 * line.
 */
public enum LogFormat {
  TEXT,
  JSON;

  public static final LogFormat DEFAULT = TEXT;

  /**
   * @param field the config path, for the message
   * @throws IllegalArgumentException for anything but {@code text} or {@code json}
   */
  public static LogFormat parse(String field, String value) {
    if (value != null) {
      switch (value.toLowerCase(Locale.ROOT)) {
        case "text" -> {
          return TEXT;
        }
        case "json" -> {
          return JSON;
        }
        default -> {}
      }
    }
    throw new IllegalArgumentException(field + " must be text or json, was " + value);
  }
}
