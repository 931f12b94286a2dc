package dev.infergate.router.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.infergate.router.config.EndpointAddress;
import dev.infergate.router.testsupport.Poll;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link PodDiscovery} with an injected resolver: what it keeps, and when it reports a change. */
class PodDiscoveryTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final EndpointAddress NAME = EndpointAddress.dns("pods.example.test", 9000, 20);

  private final Vertx vertx = Vertx.vertx();
  private final AtomicReference<Object> answer = new AtomicReference<>(List.of());
  private final AtomicInteger lookups = new AtomicInteger();
  private final AtomicInteger changes = new AtomicInteger();
  private final PodDiscovery discovery =
      new PodDiscovery(
          vertx,
          host -> {
            lookups.incrementAndGet();
            Object a = answer.get();
            if (a instanceof UnknownHostException e) {
              throw e;
            }
            @SuppressWarnings("unchecked")
            List<InetAddress> addresses = (List<InetAddress>) a;
            return addresses;
          });

  PodDiscoveryTest() {
    discovery.onChange(changes::incrementAndGet);
  }

  @AfterEach
  void stop() throws Exception {
    discovery.close();
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void resolvesANewNameAtOnceIntoOneHttpAddressPerPodSorted() throws Exception {
    answer.set(ips("10.0.0.2", "10.0.0.1", "10.0.0.2"));
    discovery.watch(List.of(NAME, new EndpointAddress("10.9.9.9", 80)));
    assertEquals(
        List.of(new EndpointAddress("10.0.0.1", 9000), new EndpointAddress("10.0.0.2", 9000)),
        discovery.pods(NAME));
    assertEquals(0, changes.get(), "the caller builds with the first answer itself");
  }

  @Test
  void reportsAChangedAnswerOnceAndAnUnchangedOneNever() throws Exception {
    answer.set(ips("10.0.0.1"));
    discovery.watch(List.of(NAME));
    awaitLookups(3);
    assertEquals(0, changes.get());

    answer.set(ips("10.0.0.1", "10.0.0.3"));
    Poll.until(WAIT, () -> changes.get() == 1, "the change to be reported");
    assertEquals(
        List.of(new EndpointAddress("10.0.0.1", 9000), new EndpointAddress("10.0.0.3", 9000)),
        discovery.pods(NAME));
    awaitLookups(3);
    assertEquals(1, changes.get());
  }

  @Test
  void keepsTheLastKnownPodsWhenResolutionFailsOrAnswersNothing() throws Exception {
    answer.set(ips("10.0.0.1", "10.0.0.2"));
    discovery.watch(List.of(NAME));
    List<EndpointAddress> known = discovery.pods(NAME);

    answer.set(new UnknownHostException("outage"));
    awaitLookups(3);
    assertEquals(known, discovery.pods(NAME));

    answer.set(List.of());
    awaitLookups(3);
    assertEquals(known, discovery.pods(NAME));
    assertEquals(0, changes.get());
  }

  @Test
  void aNameNoLongerConfiguredIsNoLongerResolved() throws Exception {
    answer.set(ips("10.0.0.1"));
    discovery.watch(List.of(NAME));
    discovery.retainOnly(Set.of());
    // A name watched again starts afresh: the pods come from a new lookup, in the background.
    answer.set(ips("10.0.0.4"));
    assertEquals(List.of(), discovery.pods(NAME));
    Poll.until(
        WAIT,
        () -> discovery.pods(NAME).equals(List.of(new EndpointAddress("10.0.0.4", 9000))),
        "the re-watched name to resolve");
  }

  private void awaitLookups(int more) {
    int target = lookups.get() + more;
    Poll.until(WAIT, () -> lookups.get() >= target, more + " more lookups");
  }

  private static List<InetAddress> ips(String... ips) throws UnknownHostException {
    InetAddress[] all = new InetAddress[ips.length];
    for (int i = 0; i < ips.length; i++) {
      all[i] = InetAddress.getByName(ips[i]);
    }
    return List.of(all);
  }
}
