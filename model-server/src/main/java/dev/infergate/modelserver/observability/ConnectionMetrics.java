package dev.infergate.modelserver.observability;

/**
 * Names and help texts of the listeners' connection meters (tags: {@code listener}, {@code phase}).
 */
public final class ConnectionMetrics {
  /** {@code infergate_model_server_connections_open{listener}}. */
  public static final String OPEN = "infergate_model_server_connections_open";

  /**
   * {@code infergate_model_server_connections_refused_total{listener}}: closed at once, the
   * listener at its cap.
   */
  public static final String REFUSED = "infergate_model_server_connections_refused";

  /** {@code infergate_model_server_read_timeouts_total{listener,phase}}: phase = header | body. */
  public static final String READ_TIMEOUTS = "infergate_model_server_read_timeouts";

  private ConnectionMetrics() {}

  /** The Prometheus {@code # HELP} text of one of the names above. */
  public static String help(String name) {
    return switch (name) {
      case OPEN -> "Client connections open on the listener";
      case REFUSED ->
          "Client connections closed at once because the listener had maxConnections open";
      case READ_TIMEOUTS ->
          "Connections closed (408) because a request head or body did not arrive in time, by phase";
      default -> throw new IllegalArgumentException("no help text for metric " + name);
    };
  }
}
