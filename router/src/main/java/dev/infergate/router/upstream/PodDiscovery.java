package dev.infergate.router.upstream;

import dev.infergate.router.config.EndpointAddress;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Watches the names of {@code dns://} endpoints: resolves each one on a worker thread every {@code
 * dnsRefreshMillis} and keeps the last good answer as one {@code http://ip:port} address per pod.
 * When an answer differs from the last, the change listener runs (on that worker thread) and
 * re-applies routing. A failed or empty answer keeps the pods last known and is logged once until
 * the name resolves again: a DNS hiccup never empties a working pool. Thread-safe.
 */
final class PodDiscovery {
  private static final Logger LOG = Logger.getLogger(PodDiscovery.class.getName());
  private static final Comparator<EndpointAddress> BY_HOST =
      Comparator.comparing(EndpointAddress::host);

  private final Vertx vertx;
  private final HostResolver resolver;
  private final Map<EndpointAddress, Watch> watches = new HashMap<>();
  private volatile Runnable onChange = () -> {};

  PodDiscovery(Vertx vertx, HostResolver resolver) {
    this.vertx = vertx;
    this.resolver = resolver;
  }

  /** Called after a name's pods changed, on a worker thread. */
  void onChange(Runnable listener) {
    this.onChange = listener;
  }

  /**
   * Starts watching the dns names among {@code addresses} that are not watched yet and resolves
   * them at once: on the calling thread, so that a new config starts with its pods, unless that is
   * an event loop (then in the background, and the change listener reports the pods).
   */
  void watch(Collection<EndpointAddress> addresses) {
    boolean background = Context.isOnEventLoopThread();
    for (EndpointAddress a : addresses) {
      Watch w = a.isDns() ? start(a) : null;
      if (w != null) {
        if (background) {
          resolveInBackground(w);
        } else if (w.busy.compareAndSet(false, true)) {
          try {
            resolve(w, false);
          } finally {
            w.busy.set(false);
          }
        }
      }
    }
  }

  /** The pods last known for a dns address, sorted; none yet when it never resolved. */
  List<EndpointAddress> pods(EndpointAddress name) {
    Watch w;
    synchronized (this) {
      w = watches.get(name);
    }
    if (w == null) {
      // Another apply stopped the watch between this apply's watch() and now: start it again.
      w = start(name);
      if (w != null) {
        resolveInBackground(w);
      }
      return List.of();
    }
    return w.pods;
  }

  /** Stops watching every name not in {@code names}. */
  void retainOnly(Set<EndpointAddress> names) {
    List<Watch> gone = new ArrayList<>();
    synchronized (this) {
      watches
          .values()
          .removeIf(
              w -> {
                if (names.contains(w.name)) {
                  return false;
                }
                gone.add(w);
                return true;
              });
    }
    gone.forEach(this::stop);
  }

  void close() {
    retainOnly(Set.of());
  }

  /** A new watch with its refresh timer, or null when the name is watched already. */
  private Watch start(EndpointAddress name) {
    Watch w = new Watch(name);
    synchronized (this) {
      if (watches.putIfAbsent(name, w) != null) {
        return null;
      }
      w.timer = vertx.setPeriodic(name.dnsRefreshMillis(), id -> resolveInBackground(w));
    }
    return w;
  }

  private void stop(Watch w) {
    w.stopped = true;
    vertx.cancelTimer(w.timer);
  }

  private void resolveInBackground(Watch w) {
    if (!w.busy.compareAndSet(false, true)) {
      return;
    }
    vertx.executeBlocking(
        () -> {
          try {
            resolve(w, true);
          } finally {
            w.busy.set(false);
          }
          return null;
        },
        false);
  }

  /**
   * Resolves the name; on a change keeps the new pods and, if asked to, tells the listener. Blocks.
   * The caller holds {@code w.busy}, so that answers for one name are kept in the order they came.
   */
  private void resolve(Watch w, boolean notify) {
    List<EndpointAddress> found;
    try {
      found = pods(w.name, resolver.resolve(w.name.host()));
    } catch (Exception e) {
      // UnknownHostException, or whatever a plugged-in resolver throws: both mean "no news".
      w.problem(e.toString());
      return;
    }
    if (found.isEmpty()) {
      w.problem("no addresses");
      return;
    }
    w.resolved();
    if (found.equals(w.pods) || w.stopped) {
      return;
    }
    LOG.info(w.name + ": pods " + found + ", were " + w.pods);
    w.pods = found;
    if (notify) {
      try {
        onChange.run();
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, w.name + ": applying the new pods failed", e);
      }
    }
  }

  private static List<EndpointAddress> pods(EndpointAddress name, List<InetAddress> addresses) {
    TreeSet<EndpointAddress> pods = new TreeSet<>(BY_HOST);
    for (InetAddress a : addresses) {
      pods.add(new EndpointAddress(a.getHostAddress(), name.port()));
    }
    return List.copyOf(pods);
  }

  /** One watched name: its timer and its last good answer. */
  private static final class Watch {
    final EndpointAddress name;
    final AtomicBoolean busy = new AtomicBoolean();
    volatile List<EndpointAddress> pods = List.of();
    volatile long timer = -1;
    volatile boolean stopped;
    private volatile boolean failing;

    Watch(EndpointAddress name) {
      this.name = name;
    }

    void problem(String why) {
      if (!failing) {
        failing = true;
        LOG.warning(
            name
                + ": cannot resolve ("
                + why
                + "); keeping the "
                + pods.size()
                + " pods last known "
                + pods
                + " and trying again every "
                + name.dnsRefreshMillis()
                + " ms");
      }
    }

    void resolved() {
      if (failing) {
        failing = false;
        LOG.info(name + ": resolves again");
      }
    }
  }
}
