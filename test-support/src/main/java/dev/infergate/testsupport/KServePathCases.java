package dev.infergate.testsupport;

import java.util.List;

/**
 * One table of hostile KServe paths that both servers must refuse the same way (400 JSON, never
 * decoded, never routed), run by each server's own test ({@code PathTricksTest}, {@code
 * HostilePathTest}) so that a change to one server's reading shows up as a difference between the
 * two.
 */
public final class KServePathCases {
  private KServePathCases() {}

  /**
   * Paths with a percent-escape in a model or version segment: encoded names, dots, slashes, NULs,
   * unicode.
   */
  public static List<String> escaped() {
    return List.of(
        "/v2/models/ir%69s/infer",
        "/v2/models/iris/versions/%31/infer",
        "/v1/models/ir%69s:predict",
        "/v1/models/iris/versions/%31:predict",
        "/v2/models/%2e%2e/infer",
        "/v2/models/%2E/infer",
        "/v2/models/iris/%2e%2e/%2e%2e/v2/repository/index",
        "/v2/models/iris%2finfer",
        "/v2/models/iris%2F..%2Fmetrics",
        "/v2/models/iris%5c..%5cmetrics",
        "/v2/models/iris%00/infer",
        "/v2/models/iris%0d%0aX-Evil:%201/infer",
        "/v2/models/%252e%252e/infer",
        "/v2/models/ir%C3%ADs/infer",
        "/v2/models/%c0%ae%c0%ae/infer",
        "/v2/models/my%20model/infer",
        "/v2/models/iris%2B1/infer",
        "/v2/models/%ff%fe/infer",
        "/v2/models/%zz/infer",
        "/v2/models/iris/versions/1%/infer",
        "/v2/models/" + "%41".repeat(200) + "/infer");
  }
}
