package dev.infergate.router.upstream.http;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;

/**
 * What the router sends upstream for one client request, fixed once before the first try: method,
 * the client's headers (copied minus hop-by-hop and router-set ones when written), the router's own
 * request id and traceparent, what the forwarding headers say about the client, and the buffered
 * body. Re-sendable: every try, and a shadow copy to another track, writes it again ({@link
 * RequestWriter} keeps no state between writes), with only the target URI and endpoint changing.
 *
 * <p>Immutable as far as the router goes: {@code clientHeaders} and {@code body} are the client
 * request's own (not copied), which nothing changes once the body is read. Use on the request's
 * event loop (the headers map is not thread-safe).
 *
 * @param clientHeaders the client request's headers as received
 * @param clientAddress the client's IP address ({@code unknown} when not known): X-Forwarded-For,
 *     Forwarded
 * @param clientAuthority the Host the client asked for, or null: Forwarded's host, X-Forwarded-Host
 * @param clientProto {@code http} or {@code https}: Forwarded's proto, X-Forwarded-Proto
 * @param dropAuthorization whether the client's {@code Authorization} stays at the router (a
 *     verified bearer token is a credential for the gateway, as Envoy's jwt_authn does by default,
 *     so a model server's logs or a compromised replica cannot replay it)
 * @param body the buffered body, or null for none (no Content-Length is sent)
 */
public record OutboundRequest(
    HttpMethod method,
    MultiMap clientHeaders,
    String requestId,
    String traceparent,
    String clientAddress,
    String clientAuthority,
    String clientProto,
    boolean dropAuthorization,
    Buffer body) {

  /** Whether the response has no body whatever its headers say. */
  public boolean isHead() {
    return method == HttpMethod.HEAD;
  }

  /** Body length in bytes (0 without one). */
  public int bodyLength() {
    return body == null ? 0 : body.length();
  }

  /**
   * The same request with another {@code traceparent}: a per-try span (issue 21) or a shadow copy.
   */
  public OutboundRequest withTraceparent(String value) {
    return new OutboundRequest(
        method,
        clientHeaders,
        requestId,
        value,
        clientAddress,
        clientAuthority,
        clientProto,
        dropAuthorization,
        body);
  }
}
