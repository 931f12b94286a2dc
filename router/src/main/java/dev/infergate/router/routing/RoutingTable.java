package dev.infergate.router.routing;

import dev.infergate.router.config.RouterConfig;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One immutable snapshot of where requests go: the config it was built from and every service by
 * model name. A request reads the current snapshot once and uses it to the end, so a reload never
 * shows it a half-applied state. Thread-safe.
 */
public final class RoutingTable {
  private final RouterConfig config;
  private final Map<String, ServiceRoute> byModel = new HashMap<>();
  private final Map<String, ServiceRoute> byName = new LinkedHashMap<>();

  RoutingTable(RouterConfig config, List<ServiceRoute> services) {
    this.config = config;
    for (ServiceRoute s : services) {
      byModel.put(s.config().model(), s);
      byName.put(s.name(), s);
    }
  }

  public RouterConfig config() {
    return config;
  }

  /** The service whose {@code model} is {@code model}, or null. */
  public ServiceRoute forModel(String model) {
    return byModel.get(model);
  }

  /** The service named {@code name}, or null. */
  public ServiceRoute service(String name) {
    return byName.get(name);
  }

  public Collection<ServiceRoute> services() {
    return byName.values();
  }
}
