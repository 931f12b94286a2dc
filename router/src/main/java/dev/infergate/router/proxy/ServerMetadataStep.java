package dev.infergate.router.proxy;

import io.vertx.core.http.HttpMethod;

/**
 * KServe V2 server metadata, {@code GET /v2}, answered by the router itself (the protocol requires
 * it; tritonclient and KServe clients read it): the router's name, version and the protocol
 * extensions a client can use through it. The router never forwards {@code /v2}: which replica's
 * answer a client got would depend on the track, and the model servers' list names {@code
 * model_repository}, an API the router never forwards.
 *
 * <p>It runs after auth, unlike the health endpoints: probes need no token and never ask for it,
 * and a client that can use the extensions it lists has a token anyway, so anonymous callers learn
 * nothing about the gateway (name, version) that they could not use.
 */
final class ServerMetadataStep implements RequestStep {
  static final String PATH = "/v2";
  static final String NAME = "infergate";
  static final String VERSION = "0.1.0";

  /**
   * What a client can use through the router: the model configuration and statistics of routed
   * models (forwarded, {@code /v2/models/{m}/config|stats}). Not {@code model_repository}: never
   * forwarded.
   */
  static final String[] EXTENSIONS = {"model_configuration", "statistics", "binary_tensor_data"};

  private static final String BODY;

  static {
    StringBuilder json =
        new StringBuilder("{\"name\":\"")
            .append(NAME)
            .append("\",\"version\":\"")
            .append(VERSION)
            .append("\",\"extensions\":[");
    for (int i = 0; i < EXTENSIONS.length; i++) {
      json.append(i == 0 ? "\"" : ",\"").append(EXTENSIONS[i]).append('"');
    }
    BODY = json.append("]}").toString();
  }

  @Override
  public void handle(ProxyContext ctx) {
    if (!ctx.request.path().equals(PATH)) {
      ctx.next();
      return;
    }
    HttpMethod method = ctx.request.method();
    if (method != HttpMethod.GET && method != HttpMethod.HEAD) {
      ctx.response.putHeader("allow", "GET, HEAD");
      ctx.fail(405, method.name() + " is not allowed on " + PATH + "; use GET");
      return;
    }
    ctx.respond(200, BODY);
  }
}
