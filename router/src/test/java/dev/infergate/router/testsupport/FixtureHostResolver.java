package dev.infergate.router.testsupport;

import dev.infergate.router.upstream.HostResolver;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@link HostResolver} of every router started in the tests (registered in {@code
 * META-INF/services}): names made with {@link #name} answer what the test set, a changing set of
 * loopback addresses standing for pods; every other name goes to the JDK's resolver.
 */
public final class FixtureHostResolver implements HostResolver {
  private static final Map<String, Name> NAMES = new ConcurrentHashMap<>();
  private static final AtomicInteger SEQUENCE = new AtomicInteger();

  /** A fresh name, under {@code .test} (never in real DNS), that answers nothing until set. */
  public static Name name(String prefix) {
    Name n = new Name(prefix + "-" + SEQUENCE.incrementAndGet() + ".pods.test");
    NAMES.put(n.host, n);
    return n;
  }

  @Override
  public List<InetAddress> resolve(String host) throws UnknownHostException {
    Name n = NAMES.get(host);
    return n == null ? HostResolver.system().resolve(host) : n.answer();
  }

  /** One fixture name: what it answers now, and how often it was asked. */
  public static final class Name {
    private final String host;
    private final AtomicInteger lookups = new AtomicInteger();
    private volatile List<InetAddress> addresses = List.of();
    private volatile boolean failing;

    private Name(String host) {
      this.host = host;
    }

    public String host() {
      return host;
    }

    /** Answers these addresses (IP literals) from now on. */
    public Name answer(String... ips) {
      List<InetAddress> list = new ArrayList<>();
      for (String ip : ips) {
        try {
          list.add(InetAddress.getByName(ip));
        } catch (UnknownHostException e) {
          throw new IllegalArgumentException("not an IP literal: " + ip, e);
        }
      }
      addresses = List.copyOf(list);
      failing = false;
      return this;
    }

    /** Fails every lookup with UnknownHostException from now on (a DNS outage). */
    public Name fail() {
      failing = true;
      return this;
    }

    public int lookups() {
      return lookups.get();
    }

    List<InetAddress> answer() throws UnknownHostException {
      lookups.incrementAndGet();
      if (failing) {
        throw new UnknownHostException(host + ": fixture outage");
      }
      return addresses;
    }
  }
}
