package dev.infergate.router.upstream;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Turns the name of a {@code dns://} endpoint into every address it stands for (one per pod behind
 * a headless Service). Called on a worker thread, never on an event loop: it may block. Must be
 * thread-safe.
 *
 * <p>{@link #configured()} picks the resolver: the first one registered with {@link ServiceLoader}
 * ({@code META-INF/services/dev.infergate.router.upstream.HostResolver}), so that another source of
 * pods, or a test fixture, plugs in without rewiring the server; else {@link #system()}.
 */
public interface HostResolver {
  /**
   * Every address of {@code host}.
   *
   * @throws UnknownHostException when the name does not resolve (the caller keeps what it had)
   */
  List<InetAddress> resolve(String host) throws UnknownHostException;

  /**
   * The JDK's resolver ({@link InetAddress#getAllByName}): /etc/hosts, then DNS with search
   * domains.
   */
  static HostResolver system() {
    return SystemHostResolver.INSTANCE;
  }

  /** The resolver registered through {@link ServiceLoader}, else {@link #system()}. */
  static HostResolver configured() {
    return ServiceLoader.load(HostResolver.class).findFirst().orElseGet(HostResolver::system);
  }
}
