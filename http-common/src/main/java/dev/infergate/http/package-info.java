/**
 * Rules both servers' HTTP/1.x listeners share, one copy: read deadlines ({@link
 * dev.infergate.http.ReadDeadlines}), the connection cap and idle timeout ({@link
 * dev.infergate.http.ConnectionGuard}), how a client may frame and end its requests ({@link
 * dev.infergate.http.ClientFraming}), the JSON error body ({@link dev.infergate.http.JsonError})
 * and the KServe path grammar ({@link dev.infergate.http.KServePath}). The first three are Netty
 * handlers on Vert.x 5 server connections; the last two are pure.
 */
package dev.infergate.http;
