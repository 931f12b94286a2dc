package dev.infergate.modelserver.protocol;

/**
 * The client's request cannot be served as sent; {@link #status()} is the 4xx (or 503) to answer
 * with and the message says what is wrong, for the JSON {@code {"error": "..."}} body.
 */
public final class ProtocolException extends RuntimeException {
  private final int status;

  public ProtocolException(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  public static ProtocolException badRequest(String message) {
    return new ProtocolException(400, message);
  }

  public static ProtocolException notFound(String message) {
    return new ProtocolException(404, message);
  }

  public int status() {
    return status;
  }
}
