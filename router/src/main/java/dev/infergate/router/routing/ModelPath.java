package dev.infergate.router.routing;

/**
 * A request path that names a model: {@code /v2/models/{m}[/...]} (KServe V2: metadata, ready,
 * infer) or {@code /v1/models/{m}[/versions/{v}]:verb} (KServe V1).
 *
 * @param rest everything after the model name ("", "/infer", "/versions/2/infer", ":predict")
 * @param versioned whether the client named a version itself (then the path is forwarded as sent)
 */
public record ModelPath(Protocol protocol, String model, String rest, boolean versioned) {
  public enum Protocol { V1, V2 }

  private static final String V2 = "/v2/models/";
  private static final String V1 = "/v1/models/";
  private static final String VERSIONS = "/versions/";

  /** The model path in {@code path} (no query string), or null when it names no model. */
  public static ModelPath parse(String path) {
    if (path.startsWith(V2)) {
      int start = V2.length();
      int end = path.indexOf('/', start);
      if (end < 0) {
        end = path.length();
      }
      if (end == start) {
        return null;
      }
      String rest = path.substring(end);
      return new ModelPath(Protocol.V2, path.substring(start, end), rest, rest.startsWith(VERSIONS));
    }
    if (path.startsWith(V1)) {
      int start = V1.length();
      int end = start;
      while (end < path.length() && path.charAt(end) != ':' && path.charAt(end) != '/') {
        end++;
      }
      if (end == start || end == path.length()) {
        return null;
      }
      String rest = path.substring(end);
      return new ModelPath(Protocol.V1, path.substring(start, end), rest, rest.startsWith(VERSIONS));
    }
    return null;
  }
}
