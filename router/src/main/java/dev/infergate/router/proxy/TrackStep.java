package dev.infergate.router.proxy;

import dev.infergate.router.routing.Buckets;
import dev.infergate.router.routing.ServiceRoute;
import dev.infergate.router.routing.TrackRoute;
import java.util.random.RandomGenerator;

/**
 * Chooses the service's track: the {@code x-infergate-track} override when the config allows it
 * (until auth exists, {@code allowTrackOverride}; otherwise the header is ignored), else the track
 * that owns the consumer's bucket ({@code x-infergate-consumer}; a random bucket without one). For
 * blue-green every bucket belongs to the active track.
 */
final class TrackStep implements RequestStep {
  private final RandomGenerator random;

  TrackStep(RandomGenerator random) {
    this.random = random;
  }

  @Override
  public void handle(ProxyContext ctx) {
    ServiceRoute service = ctx.service;
    if (ctx.routing.config().allowTrackOverride()) {
      String wanted = ctx.request.getHeader(Headers.TRACK);
      if (wanted != null) {
        TrackRoute t = service.track(wanted);
        if (t == null) {
          ctx.fail(400, "unknown track '" + wanted + "' for service '" + service.name() + "'");
          return;
        }
        ctx.track = t;
        ctx.next();
        return;
      }
    }
    String consumer = ctx.request.getHeader(Headers.CONSUMER);
    int bucket = consumer == null || consumer.isEmpty() ? Buckets.random(random) : Buckets.of(consumer);
    ctx.track = service.trackFor(bucket);
    ctx.next();
  }
}
