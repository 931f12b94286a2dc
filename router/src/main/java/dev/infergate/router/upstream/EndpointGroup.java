package dev.infergate.router.upstream;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The endpoints of one track and the choice among them: least outstanding requests over the healthy
 * endpoints whose breaker is not open, ties broken at random. {@link #acquireHealthy} never picks
 * an unhealthy endpoint; {@link #acquire} goes into panic mode when no endpoint is healthy and
 * ignores health (Envoy's rule: never eject everything on a guess). Forwarding asks the fallback
 * track for a healthy endpoint before it panics. Open breakers are always respected. Immutable;
 * thread-safe.
 */
public final class EndpointGroup {
  private final Endpoint[] endpoints;
  private final RandomGenerator random;

  public EndpointGroup(List<Endpoint> endpoints, RandomGenerator random) {
    if (endpoints.size() > Long.SIZE) {
      throw new IllegalArgumentException("at most 64 endpoints, was " + endpoints.size());
    }
    this.endpoints = endpoints.toArray(new Endpoint[0]);
    this.random = random;
  }

  public int size() {
    return endpoints.length;
  }

  public Endpoint get(int index) {
    return endpoints[index];
  }

  public List<Endpoint> endpoints() {
    return List.of(endpoints);
  }

  /** All endpoints' bits: the mask that excludes every endpoint. */
  public long allMask() {
    return endpoints.length == Long.SIZE ? -1L : (1L << endpoints.length) - 1;
  }

  /**
   * Picks an endpoint and takes its breaker permission and an outstanding slot; the caller must end
   * the try with {@link Endpoint#succeeded}, {@link Endpoint#failed} or {@link Endpoint#abandoned}.
   *
   * @param excluded bit i set: endpoint i was tried already by this request
   * @return the index of the picked endpoint, or -1 when no endpoint can take the request
   */
  public int acquire(long excluded) {
    // Panic (Envoy's idea) is judged among the endpoints this request may still use: a retry whose
    // only candidates look unhealthy tries them rather than fail, even if the endpoint it just
    // failed on still counts as healthy.
    return pick(excluded, !anyHealthy(excluded));
  }

  /**
   * As {@link #acquire}, but only among healthy endpoints: -1 when none of those not excluded is
   * healthy (or every healthy one's breaker is open), never a panic pick.
   */
  public int acquireHealthy(long excluded) {
    return pick(excluded, false);
  }

  private int pick(long excluded, boolean panic) {
    int n = endpoints.length;
    if (n == 0) {
      // A dns:// track whose name has not resolved yet.
      return -1;
    }
    while (true) {
      int best = -1;
      int bestLoad = Integer.MAX_VALUE;
      int i = n == 1 ? 0 : random.nextInt(n);
      for (int k = 0; k < n; k++, i = i + 1 == n ? 0 : i + 1) {
        if ((excluded & (1L << i)) != 0) {
          continue;
        }
        Endpoint e = endpoints[i];
        if ((!panic && !e.healthy()) || e.breakerOpen()) {
          continue;
        }
        int load = e.outstanding();
        if (load < bestLoad) {
          best = i;
          bestLoad = load;
        }
      }
      if (best < 0) {
        return -1;
      }
      if (endpoints[best].tryAcquire()) {
        return best;
      }
      // Half-open with its probes taken, or it opened meanwhile: try the next best.
      excluded |= 1L << best;
    }
  }

  private boolean anyHealthy(long excluded) {
    for (int i = 0; i < endpoints.length; i++) {
      if ((excluded & (1L << i)) == 0 && endpoints[i].healthy()) {
        return true;
      }
    }
    return false;
  }
}
