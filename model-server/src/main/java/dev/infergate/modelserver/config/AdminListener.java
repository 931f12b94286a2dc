package dev.infergate.modelserver.config;

/**
 * The second listener, for the repository (load/unload/index) API and {@code /metrics}: loopback by
 * default, so whoever reaches the inference port cannot reach the control API. In Kubernetes it
 * binds the pod IP ({@code --admin-host}) and a NetworkPolicy decides who may connect.
 *
 * @param port 0 binds a random free port (tests); {@code ModelServer.adminPort()} says which
 */
public record AdminListener(String host, int port) {
  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 9101;
  public static final AdminListener DEFAULT = new AdminListener(DEFAULT_HOST, DEFAULT_PORT);

  public AdminListener {
    if (host == null || host.isBlank()) {
      throw new ConfigException("admin.host: must not be empty, was '" + host + "'");
    }
    if (port < 0 || port > 65535) {
      throw new ConfigException("admin.port: must be 0..65535, was " + port);
    }
  }

  static AdminListener from(ConfigNode node, String hostFlag, Integer portFlag) {
    node.rejectUnknownKeys(java.util.Set.of("host", "port"));
    return new AdminListener(
        hostFlag != null ? hostFlag : node.stringValue("host", DEFAULT_HOST),
        portFlag != null ? portFlag : node.intValue("port", DEFAULT_PORT, 0, 65535));
  }
}
