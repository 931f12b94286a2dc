package dev.infergate.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.http.KServePath.Operation;
import dev.infergate.http.KServePath.Protocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The one KServe path grammar, as a table: what both servers match, and what they refuse or do not
 * route.
 */
class KServePathTest {
  @ParameterizedTest
  @CsvSource(
      nullValues = "-",
      value = {
        "/v2/models/iris/infer,                       V2, iris,    -,         INFER",
        "/v2/models/iris,                             V2, iris,    -,         METADATA",
        "/v2/models/iris/ready,                       V2, iris,    -,         READY",
        "/v2/models/iris/config,                      V2, iris,    -,         CONFIG",
        "/v2/models/iris/stats,                       V2, iris,    -,         STATS",
        "/v2/models/iris/versions/2,                  V2, iris,    2,         METADATA",
        "/v2/models/iris/versions/2/ready,            V2, iris,    2,         READY",
        "/v2/models/iris/versions/2/infer,            V2, iris,    2,         INFER",
        "/v2/models/iris/versions/2/stats,            V2, iris,    2,         STATS",
        "/v2/models/versions/infer,                   V2, versions, -,        INFER",
        "/v2/models/a.b_c-1/versions/v1.0_rc-2/infer, V2, a.b_c-1, v1.0_rc-2, INFER",
        "/v2/models/_iris/infer,                      V2, _iris,   -,         INFER",
        "/v2/models/a..b/infer,                       V2, a..b,    -,         INFER",
        "/v1/models/iris:predict,                     V1, iris,    -,         PREDICT",
        "/v1/models/iris/versions/2:predict,          V1, iris,    2,         PREDICT",
        "/v1/models/iris,                             V1, iris,    -,         STATUS",
        "/v1/models/iris/versions/2,                  V1, iris,    2,         STATUS",
      })
  void matchesTheGrammar(
      String path, Protocol protocol, String model, String version, Operation op) {
    assertEquals(new KServePath(protocol, model, version, op), KServePath.parse(path));
    assertNull(KServePath.refusal(path));
  }

  @Test
  void saysWhichOperationsReadAndWhichInfer() {
    assertTrue(
        Operation.STATUS.readOnly() && Operation.CONFIG.readOnly() && Operation.STATS.readOnly());
    assertFalse(
        Operation.INFER.readOnly() || Operation.PREDICT.readOnly() || Operation.READY.readOnly());
    assertTrue(Operation.INFER.inference() && Operation.PREDICT.inference());
    assertFalse(Operation.METADATA.inference() || Operation.STATUS.inference());
    assertTrue(KServePath.parse("/v2/models/iris/versions/2/infer").versioned());
    assertFalse(KServePath.parse("/v1/models/iris:predict").versioned());
  }

  @Test
  void namesUpToTheLimitAreAcceptedAndLongerOnesAreNot() {
    String name = "a".repeat(KServePath.MAX_NAME);
    assertEquals(name, KServePath.parse("/v2/models/" + name + "/infer").model());
    assertEquals(name, KServePath.parse("/v2/models/iris/versions/" + name + "/infer").version());
    assertNull(KServePath.parse("/v2/models/" + name + "a/infer"));
    assertNull(KServePath.parse("/v2/models/iris/versions/" + name + "a/infer"));
    assertTrue(KServePath.isName(name));
    assertFalse(KServePath.isName(name + "a"));
    assertFalse(KServePath.isName(""));
    assertFalse(KServePath.isName(".."));
    assertFalse(KServePath.isName(null));
  }

  /**
   * Outside the grammar, no escape: not a route (a 404 at both servers, or an earlier 400 at the
   * router).
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "/v2/models/",
        "/v2/models",
        "/v2/health/ready",
        "/v2",
        "/metrics",
        "/",
        "",
        "/v1/models",
        "/v1/models/",
        "/v1/models/iris/",
        "/v1/models/iris/versions",
        "/v1/models/iris/versions/",
        "/v1/models/iris/ready",
        "/v1/models/iris:explain",
        "/v1/models/iris/infer",
        "/v1/models/:predict",
        "/v1/models/iris:predict/x",
        "/v1/models/iris:predictx",
        "/v1/models/a:b:predict",
        "/v2/models/iris/unload",
        "/v2/models/iris/load",
        "/v2/models/iris/infer/x",
        "/v2/models/iris/inferx",
        "/v2/models/iris/versions",
        "/v2/models/iris/versions/",
        "/v2/models/iris/versions//infer",
        "/v2/models//infer",
        "/v2/models//versions/2/infer",
        "/v2/models/iris//infer",
        "/v2/models/iris/versions/1/versions/2",
        "/v2/models/iris/versions/1/unload",
        "/v2/models/iris/../../v2/repository/index",
        "/v2/models/../v2/repository/index",
        "/v2/models/../infer",
        "/v2/models/./infer",
        "/v2/models/.iris/infer",
        "/v2/models/-iris/infer",
        "/v2/models/.../infer",
        "/v2/models/iris/versions/../infer",
        "/v2/models/iris/versions/.1/infer",
        "/v2/models/iris/versions/./infer",
        "/v2/models/iris;x/infer",
        "/v2/models/iris:predict",
        "/v2/models/a+b/infer",
        "/v2/models/iris/infer;x",
        "/v2/models/iris/infer/",
        "/v2/models/ir is/infer",
        "/v2/models/iris\\..\\metrics/infer",
        "/v2/models/iris\u0000/infer",
        "/v2/models/iris\n/infer",
        "/v2/models/ir\u00eds/infer",
        "/v2/models/\u0456ris/infer",
        "/v2/models/iris\u00c3\u00a9/infer",
        "/v2/repository/models/iris/unload",
        "/v2/repository/index",
        "/V2/models/iris/infer",
        "/v2/models/iris/infer?x=1",
      })
  void pathsOutsideTheGrammarAreNotRoutes(String path) {
    assertNull(KServePath.parse(path), path);
    assertNull(KServePath.refusal(path), path);
  }

  /**
   * The one rule on escapes: never decoded, always refused (400) by both servers, malformed or not.
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "/v2/models/ir%69s/infer",
        "/v2/models/iris/versions/%31/infer",
        "/v1/models/ir%69s:predict",
        "/v2/models/%2e%2e/infer",
        "/v2/models/iris/%2e%2e/%2e%2e/v2/repository/index",
        "/v2/models/%2E/infer",
        "/v2/models/iris%2finfer",
        "/v2/models/iris%2F..%2Fmetrics",
        "/v2/models/iris%5c..%5cmetrics",
        "/v2/models/iris%00/infer",
        "/v2/models/iris%0d%0a/infer",
        "/v2/models/%252e%252e/infer",
        "/v2/models/ir%C3%ADs/infer",
        "/v2/models/%c0%ae%c0%ae/infer",
        "/v2/models/my%20model/infer",
        "/v2/models/%zz/infer",
        "/v2/models/%/infer",
        "/v2/models/iris%/infer",
        "/v2/models/%G1/infer",
        "/v2/models/%ff%fe/infer",
        "/%zz",
        "/v2/repository/models/%zz/unload",
      })
  void percentEscapesAreRefusedNeverDecoded(String path) {
    assertNull(KServePath.parse(path), path);
    assertNotNull(KServePath.refusal(path), path);
  }
}
