package dev.infergate.modelserver.http;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * A KServe V2 inference path, {@code /v2/models/{model}/infer} or
 * {@code /v2/models/{model}/versions/{version}/infer}, matched by hand: nearly all traffic is
 * inference, and dispatching it before Vert.x Web's router saves ~14 % of the server's CPU per
 * request at c=64 (bench/RESULTS.md). Every other path goes through the router.
 *
 * @param version null for the model's default version
 */
record V2InferPath(String model, String version) {
  private static final String PREFIX = "/v2/models/";
  private static final String INFER = "/infer";
  private static final String VERSIONS = "/versions/";

  /** The model and version the path names, or null when it is not an inference path. */
  static V2InferPath parse(String path) {
    if (!path.startsWith(PREFIX) || !path.endsWith(INFER) || path.length() <= PREFIX.length() + INFER.length()) {
      return null;
    }
    String middle = path.substring(PREFIX.length(), path.length() - INFER.length());
    int slash = middle.indexOf('/');
    if (slash < 0) {
      return new V2InferPath(decode(middle), null);
    }
    if (!middle.startsWith(VERSIONS, slash) || slash == 0) {
      return null;
    }
    String version = middle.substring(slash + VERSIONS.length());
    if (version.isEmpty() || version.indexOf('/') >= 0) {
      return null;
    }
    return new V2InferPath(decode(middle.substring(0, slash)), decode(version));
  }

  private static String decode(String segment) {
    return segment.indexOf('%') < 0 ? segment
        : URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
  }
}
