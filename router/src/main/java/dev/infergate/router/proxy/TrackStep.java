package dev.infergate.router.proxy;

import dev.infergate.router.config.AuthConfig;
import dev.infergate.router.routing.Buckets;
import dev.infergate.router.routing.ServiceRoute;
import dev.infergate.router.routing.TrackRoute;
import java.util.random.RandomGenerator;

/**
 * Chooses the service's track: the {@code x-infergate-track} override (with auth: only for
 * consumers with {@code auth.overrideRole}, else 403; without auth: only when {@code
 * allowTrackOverride} is set, else the header is ignored), else the track that owns the consumer's
 * bucket (a random bucket without a consumer). For blue-green every bucket belongs to the active
 * track.
 */
final class TrackStep implements RequestStep {
  private final RandomGenerator random;

  TrackStep(RandomGenerator random) {
    this.random = random;
  }

  @Override
  public void handle(ProxyContext ctx) {
    ServiceRoute service = ctx.service;
    String wanted = ctx.request.getHeader(Headers.TRACK);
    if (wanted != null) {
      AuthConfig auth = ctx.routing.config().auth();
      if (auth != null && (ctx.consumer == null || !ctx.consumer.hasRole(auth.overrideRole()))) {
        ctx.fail(403, "the x-infergate-track header needs the role '" + auth.overrideRole() + "'");
        return;
      }
      if (auth != null || ctx.routing.config().allowTrackOverride()) {
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
    String consumer = ctx.consumerKey;
    int bucket =
        consumer == null || consumer.isEmpty() ? Buckets.random(random) : Buckets.of(consumer);
    ctx.track = service.trackFor(bucket);
    ctx.next();
  }
}
