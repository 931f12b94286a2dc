package dev.infergate.router.proxy;

import dev.infergate.router.routing.TrackRoute;
import dev.infergate.router.upstream.http.UpstreamExchange;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;

/**
 * The client side of a forwarded request, recorded instead of sent: for forwarding's unit tests.
 */
final class FakeDownstream implements Downstream {
  Runnable gone;
  int tries;

  /** The status the client got (an error or a relayed head), 0 before. */
  int status;

  String message;
  String servedTrack;
  String servedEndpoint;
  final StringBuilder body = new StringBuilder();
  boolean bodyEnded;
  boolean reset;

  /** What the access log and metrics recorded, once; -1 before. */
  int completedStatus = -1;

  String completedError;
  int completions;

  @Override
  public void onClientGone(Runnable handler) {
    gone = handler;
  }

  @Override
  public String upstreamUri(TrackRoute track) {
    return "/v2/models/iris/infer";
  }

  @Override
  public void tried() {
    tries++;
  }

  @Override
  public Relay relay(
      UpstreamExchange response,
      TrackRoute track,
      String endpoint,
      int capture,
      Handler<String> done) {
    status = response.statusCode();
    servedTrack = track.name();
    servedEndpoint = endpoint;
    Buffer captured = capture > 0 ? Buffer.buffer() : null;
    response.handler(
        b -> {
          body.append(b.toString());
          if (captured != null) {
            captured.appendBuffer(b, 0, Math.min(b.length(), capture - captured.length()));
          }
        });
    response.endHandler(
        v -> {
          bodyEnded = true;
          done.handle(null);
        });
    response.exceptionHandler(
        t -> {
          reset = true;
          done.handle("upstream response failed: " + t.getMessage());
        });
    return () -> captured;
  }

  @Override
  public void reset() {
    reset = true;
  }

  @Override
  public void fail(int status, String message, String detail, TrackRoute track, String endpoint) {
    this.status = status;
    this.message = message;
    servedTrack = track.name();
    servedEndpoint = endpoint;
    complete(status, detail);
  }

  @Override
  public void complete(int status, String error) {
    completions++;
    if (completedStatus < 0) {
      completedStatus = status;
      completedError = error;
    }
  }

  void clientGoes() {
    gone.run();
  }
}
