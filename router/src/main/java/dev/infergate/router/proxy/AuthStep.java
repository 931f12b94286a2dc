package dev.infergate.router.proxy;

import dev.infergate.router.auth.Authenticator;
import dev.infergate.router.auth.BearerChallenge;
import dev.infergate.router.auth.Consumer;
import dev.infergate.router.auth.InvalidTokenException;
import dev.infergate.router.observability.RouterMetrics;
import io.vertx.core.http.HttpHeaders;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Makes the request's consumer. With auth: the verified bearer token's claims (401 with RFC 6750
 * {@code WWW-Authenticate} otherwise); a cached token is answered on the event loop, a new one is
 * verified on a worker while the body waits ({@link ProxyContext#pauseBody()}, see {@link
 * RequestStep}). Without auth (dev only): the {@code x-infergate-consumer} header, if sent. Never
 * logs a token.
 */
final class AuthStep implements RequestStep {
  private static final Logger LOG = Logger.getLogger(AuthStep.class.getName());
  static final CharSequence WWW_AUTHENTICATE = HttpHeaders.createOptimized("www-authenticate");
  private static final String REALM = "infergate";

  private final Authenticator authenticator;
  private final RouterMetrics metrics;

  /**
   * @param authenticator null when the config has no {@code auth} block
   */
  AuthStep(Authenticator authenticator, RouterMetrics metrics) {
    this.authenticator = authenticator;
    this.metrics = metrics;
  }

  @Override
  public void handle(ProxyContext ctx) {
    if (authenticator == null) {
      ctx.consumerKey = ctx.request.getHeader(Headers.CONSUMER);
      ctx.span.setAttribute(SpanNames.AUTH, "none");
      ctx.next();
      return;
    }
    String authorization = ctx.request.getHeader(HttpHeaders.AUTHORIZATION);
    Consumer cached = authenticator.cachedConsumer(authorization);
    if (cached != null) {
      accept(ctx, cached);
      return;
    }
    ctx.pauseBody(); // the body waits for the verdict; BodyReadStep resumes it
    authenticator
        .verify(authorization)
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                accept(ctx, ar.result());
              } else if (ar.cause() instanceof InvalidTokenException e) {
                boolean missing = authorization == null || authorization.isBlank();
                metrics.authFailure("proxy", missing ? "missing" : "invalid");
                ctx.span.setAttribute(SpanNames.AUTH, missing ? "missing" : "invalid");
                refuse(ctx, missing ? null : e.getMessage());
              } else if (ar.cause() instanceof Authenticator.VerificationBusyException) {
                ctx.span.setAttribute(SpanNames.AUTH, "busy");
                ctx.response.headers().set(HttpHeaders.RETRY_AFTER, "1");
                ctx.fail(503, "too many new tokens are being verified; retry shortly");
              } else {
                ctx.span.setAttribute(SpanNames.AUTH, "unavailable");
                LOG.log(Level.WARNING, "token verification failed unexpectedly", ar.cause());
                ctx.fail(503, "token verification is unavailable, retry later");
              }
            });
  }

  private static void accept(ProxyContext ctx, Consumer consumer) {
    ctx.consumer = consumer;
    ctx.consumerKey = consumer.subject();
    ctx.span.setAttribute(SpanNames.AUTH, "accepted");
    ctx.next();
  }

  /**
   * @param description why the token was refused; null when none was sent (RFC 6750 §3.1)
   */
  static void refuse(ProxyContext ctx, String description) {
    ctx.response
        .headers()
        .set(
            WWW_AUTHENTICATE,
            description == null
                ? BearerChallenge.missing(REALM)
                : BearerChallenge.invalidToken(REALM, description));
    ctx.fail(
        401,
        description == null
            ? "a bearer token is required (Authorization: Bearer <JWT>)"
            : "invalid token: " + description);
  }
}
