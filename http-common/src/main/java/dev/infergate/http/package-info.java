/**
 * Connection-level rules of HTTP/1.x listeners, shared by the router and the model server: read
 * deadlines ({@link dev.infergate.http.ReadDeadlines}), the connection cap and idle timeout
 * ({@link dev.infergate.http.ConnectionGuard}), and how a client may frame and end its requests
 * ({@link dev.infergate.http.ClientFraming}). Netty handlers on Vert.x 5 server connections.
 */
package dev.infergate.http;
