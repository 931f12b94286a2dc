package dev.infergate.modelserver.http;

/**
 * An inference path, matched by hand: KServe V2 {@code /v2/models/{model}[/versions/{version}]/infer}
 * or V1 {@code /v1/models/{model}[/versions/{version}]:predict}. Nearly all traffic is inference, and
 * dispatching it before Vert.x Web's router saves ~14 % of the server's CPU per request at c=64
 * (bench/RESULTS.md); it also gives both protocols one body reader. Every other path goes through
 * the router.
 *
 * @param version null for the model's default version
 * @param v1 the KServe V1 {@code :predict} form
 */
record InferencePath(String model, String version, boolean v1) {
  private static final String V2_PREFIX = "/v2/models/";
  private static final String V2_SUFFIX = "/infer";
  private static final String V1_PREFIX = "/v1/models/";
  private static final String V1_SUFFIX = ":predict";
  private static final String VERSIONS = "/versions/";

  /**
   * The model and version the path names, or null when it is not an inference path.
   *
   * @throws dev.infergate.modelserver.protocol.ProtocolException (400) for a malformed percent-escape
   */
  static InferencePath parse(String path) {
    if (path.startsWith(V2_PREFIX) && path.endsWith(V2_SUFFIX)) {
      return of(path.substring(V2_PREFIX.length(), Math.max(V2_PREFIX.length(), path.length() - V2_SUFFIX.length())), false);
    }
    if (path.startsWith(V1_PREFIX) && path.endsWith(V1_SUFFIX)) {
      return of(path.substring(V1_PREFIX.length(), Math.max(V1_PREFIX.length(), path.length() - V1_SUFFIX.length())), true);
    }
    return null;
  }

  /** {@code model} or {@code model/versions/version}, neither part empty nor holding '/' (or ':' for V1). */
  private static InferencePath of(String middle, boolean v1) {
    if (middle.isEmpty() || (v1 && middle.indexOf(':') >= 0)) {
      return null;
    }
    int slash = middle.indexOf('/');
    if (slash < 0) {
      return new InferencePath(decode(middle), null, v1);
    }
    if (slash == 0 || !middle.startsWith(VERSIONS, slash)) {
      return null;
    }
    String version = middle.substring(slash + VERSIONS.length());
    if (version.isEmpty() || version.indexOf('/') >= 0) {
      return null;
    }
    return new InferencePath(decode(middle.substring(0, slash)), decode(version), v1);
  }

  private static String decode(String segment) {
    return PathSegments.decode(segment);
  }
}
