package dev.infergate.router.cluster;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A Lua script run atomically by Redis: sent as {@code EVALSHA} (the SHA-1 only: one small round
 * trip); when Redis answers {@code NOSCRIPT} (restarted, or {@code SCRIPT FLUSH}) it is sent once
 * whole with {@code EVAL}, which caches it again. Immutable; thread-safe.
 */
final class LuaScript {
  private final String source;
  private final String sha;

  LuaScript(String source) {
    this.source = source;
    this.sha = sha1(source);
  }

  /**
   * Runs the script with {@code keys} and {@code args} through {@code link}, each call within
   * {@code timeoutMillis}.
   */
  Future<Response> run(RedisLink link, List<String> keys, List<String> args, long timeoutMillis) {
    return link.send(request(Command.EVALSHA, sha, keys, args), timeoutMillis)
        .recover(
            cause ->
                RedisLink.isNoScript(cause)
                    ? link.send(request(Command.EVAL, source, keys, args), timeoutMillis)
                    : Future.failedFuture(cause));
  }

  /** As {@link #run}, pipelined on the link's long-lived connections (the per-request path). */
  Future<Response> runPipelined(
      RedisLink link, List<String> keys, List<String> args, long timeoutMillis) {
    return link.sendPipelined(request(Command.EVALSHA, sha, keys, args), timeoutMillis)
        .recover(
            cause ->
                RedisLink.isNoScript(cause)
                    ? link.sendPipelined(request(Command.EVAL, source, keys, args), timeoutMillis)
                    : Future.failedFuture(cause));
  }

  String sha() {
    return sha;
  }

  private static Request request(
      Command command, String script, List<String> keys, List<String> args) {
    Request request = Request.cmd(command).arg(script).arg(keys.size());
    keys.forEach(request::arg);
    args.forEach(request::arg);
    return request;
  }

  private static String sha1(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-1", e);
    }
  }
}
