package dev.infergate.router.proxy;

import dev.infergate.router.routing.TrackRoute;
import dev.infergate.router.upstream.http.UpstreamExchange;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;

/** The real {@link Downstream}: the client's response and the request's {@link ProxyContext}. */
final class ClientDownstream implements Downstream {
  private final ProxyContext ctx;

  ClientDownstream(ProxyContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void onClientGone(Runnable handler) {
    ctx.response.closeHandler(v -> handler.run());
  }

  @Override
  public String upstreamUri(TrackRoute track) {
    return track.upstreamUri(ctx.modelPath, ctx.request.query());
  }

  @Override
  public void tried() {
    ctx.tries++;
  }

  @Override
  public Relay relay(
      UpstreamExchange resp, TrackRoute track, String endpoint, int capture, Handler<String> done) {
    ctx.servedTrack = track;
    ctx.servedEndpoint = endpoint;
    HttpServerResponse out = ctx.response;
    int status = resp.statusCode();
    out.setStatusCode(status);
    Headers.copy(resp, out.headers());
    out.headers().set(Headers.TRACK, track.name()).set(Headers.REQUEST_ID, ctx.requestId);
    String length = resp.header(Headers.CONTENT_LENGTH);
    long expected = -1;
    if (length != null) {
      try {
        expected = Long.parseLong(length.trim());
      } catch (NumberFormatException e) {
        out.headers().remove(Headers.CONTENT_LENGTH);
      }
    }
    boolean bodyless = ctx.request.method() == HttpMethod.HEAD || status == 204 || status == 304;
    if (expected < 0 && !bodyless) {
      out.setChunked(true);
    }
    ResponseRelay relay = new ResponseRelay(resp, out, bodyless ? -1 : expected, capture, done);
    relay.start();
    return relay;
  }

  @Override
  public void reset() {
    ctx.response.reset();
  }

  @Override
  public void fail(int status, String message, String detail, TrackRoute track, String endpoint) {
    ctx.servedTrack = track;
    if (endpoint != null) {
      ctx.servedEndpoint = endpoint;
    }
    ctx.fail(status, message, detail);
  }

  @Override
  public void complete(int status, String error) {
    ctx.complete(status, error);
  }
}
