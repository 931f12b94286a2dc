package dev.infergate.router.testsupport;

import dev.infergate.router.config.ConfigParser;
import dev.infergate.router.config.ServiceConfig;
import java.util.Map;

/** Parsed service configs for unit tests, built through the real parser. */
public final class ServiceConfigs {
  private ServiceConfigs() {}

  /**
   * A canary service with tracks {@code stable} and {@code canary} on one made-up endpoint each.
   */
  public static ServiceConfig canary(String name, int stableWeight, int canaryWeight) {
    String yaml =
        ServiceYaml.config(
            new ServiceYaml(name)
                .track("stable", stableWeight, "1", "http://127.0.0.1:9")
                .track("canary", canaryWeight, "2", "http://127.0.0.1:10"));
    try {
      return ConfigParser.parse(yaml, Map.of()).services().get(name);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
