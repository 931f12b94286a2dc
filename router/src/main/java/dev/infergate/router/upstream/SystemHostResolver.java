package dev.infergate.router.upstream;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.Security;
import java.util.List;

/** {@link InetAddress#getAllByName}, with the JVM's cache of answers shortened. Thread-safe. */
final class SystemHostResolver implements HostResolver {
  static final HostResolver INSTANCE = new SystemHostResolver();

  /**
   * The JVM caches positive answers for 30 s unless told otherwise, which would hide pods that come
   * and go for that long. It reads the setting once, at its first lookup; this class is loaded when
   * the router wires its upstreams, before it resolves any name. An operator's own setting wins.
   */
  private static final String CACHE_SECONDS = "1";

  static {
    if (Security.getProperty("networkaddress.cache.ttl") == null
        && System.getProperty("sun.net.inetaddr.ttl") == null) {
      Security.setProperty("networkaddress.cache.ttl", CACHE_SECONDS);
    }
  }

  private SystemHostResolver() {}

  @Override
  public List<InetAddress> resolve(String host) throws UnknownHostException {
    return List.of(InetAddress.getAllByName(host));
  }
}
