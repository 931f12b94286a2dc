package dev.infergate.router.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.router.config.EndpointAddress;
import dev.infergate.router.config.TrackConfig;
import dev.infergate.router.routing.ModelPath.Operation;
import dev.infergate.router.routing.ModelPath.Protocol;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ModelPathTest {
  private static final List<EndpointAddress> ENDPOINTS = List.of(new EndpointAddress("127.0.0.1", 9001));
  private final TrackRoute pinned = new TrackRoute("iris", new TrackConfig("stable", 100, "1", ENDPOINTS), null, null);
  private final TrackRoute unpinned = new TrackRoute("iris", new TrackConfig("stable", 100, null, ENDPOINTS), null, null);

  private String upstream(TrackRoute t, String uri) {
    int q = uri.indexOf('?');
    String path = q < 0 ? uri : uri.substring(0, q);
    return t.upstreamUri(ModelPath.parse(path), q < 0 ? null : uri.substring(q + 1));
  }

  @Test
  void parsesV2AndV1ModelPaths() {
    assertEquals(new ModelPath(Protocol.V2, "iris", null, Operation.INFER), ModelPath.parse("/v2/models/iris/infer"));
    assertEquals(new ModelPath(Protocol.V2, "iris", null, Operation.METADATA), ModelPath.parse("/v2/models/iris"));
    assertEquals(new ModelPath(Protocol.V2, "iris", "2", Operation.READY), ModelPath.parse("/v2/models/iris/versions/2/ready"));
    assertEquals(new ModelPath(Protocol.V2, "iris", "2", Operation.METADATA), ModelPath.parse("/v2/models/iris/versions/2"));
    assertEquals(new ModelPath(Protocol.V2, "iris", null, Operation.CONFIG), ModelPath.parse("/v2/models/iris/config"));
    assertEquals(new ModelPath(Protocol.V2, "iris", "2", Operation.STATS), ModelPath.parse("/v2/models/iris/versions/2/stats"));
    assertTrue(ModelPath.parse("/v2/models/iris/versions/2/infer").versioned());
    assertEquals(new ModelPath(Protocol.V1, "iris", null, Operation.PREDICT), ModelPath.parse("/v1/models/iris:predict"));
    assertEquals(new ModelPath(Protocol.V1, "iris", "2", Operation.PREDICT), ModelPath.parse("/v1/models/iris/versions/2:predict"));
    assertFalse(ModelPath.parse("/v1/models/iris:predict").versioned());
    assertEquals(new ModelPath(Protocol.V1, "iris", null, Operation.STATUS), ModelPath.parse("/v1/models/iris"));
    assertEquals(new ModelPath(Protocol.V1, "iris", "2", Operation.STATUS), ModelPath.parse("/v1/models/iris/versions/2"));
    assertTrue(Operation.STATUS.readOnly() && Operation.CONFIG.readOnly() && Operation.STATS.readOnly());
    assertEquals("a.b_c-1", ModelPath.parse("/v2/models/a.b_c-1/versions/v1.0_rc-2/infer").model());
    assertEquals("v1.0_rc-2", ModelPath.parse("/v2/models/a.b_c-1/versions/v1.0_rc-2/infer").version());
  }

  /** Anything outside the grammar is not a route: the router never forwards it. */
  @ParameterizedTest
  @ValueSource(strings = {
      "/v2/models/", "/v2/models", "/v2/health/ready", "/v2", "/metrics", "/",
      "/v1/models", "/v1/models/", "/v1/models/iris/", "/v1/models/iris/versions", "/v1/models/iris/versions/",
      "/v1/models/iris/ready", "/v1/models/iris:explain", "/v1/models/iris/infer",
      "/v1/models/:predict", "/v1/models/iris:predict/x", "/v1/models/iris:predictx",
      "/v2/models/iris/unload", "/v2/models/iris/load", "/v2/models/iris/infer/x", "/v2/models/iris/inferx",
      "/v2/models/iris/versions", "/v2/models/iris/versions/", "/v2/models/iris/versions//infer",
      "/v2/models/iris/versions/1/versions/2", "/v2/models/iris/versions/1/unload",
      "/v2/models/iris/../../v2/repository/index", "/v2/models/../v2/repository/index",
      "/v2/models/./infer", "/v2/models/.iris/infer", "/v2/models/-iris/infer", "/v2/models/_iris/infer",
      "/v2/models/iris/versions/../infer", "/v2/models/iris/versions/.1/infer",
      "/v2/models/iris%2f/infer", "/v2/models/iris;x/infer", "/v2/models/iris:predict",
      "/v2/models/iris/infer;x", "/v2/models/iris/infer/", "/v2/models/ir is/infer",
      "/v2/repository/models/iris/unload", "/v2/repository/index", "/V2/models/iris/infer",
      "/v2/models/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/infer",
  })
  void pathsOutsideTheGrammarAreNotRoutes(String path) {
    assertNull(ModelPath.parse(path), path);
  }

  @Test
  void namesUpTo64CharactersAreAccepted() {
    String name = "a".repeat(64);
    assertEquals(name, ModelPath.parse("/v2/models/" + name + "/infer").model());
    assertEquals(name, ModelPath.parse("/v2/models/iris/versions/" + name + "/infer").version());
  }

  @ParameterizedTest
  @CsvSource({
      "/v2/models/iris/infer,              /v2/models/iris/versions/1/infer",
      "/v2/models/iris,                    /v2/models/iris/versions/1",
      "/v2/models/iris/ready?x=1,          /v2/models/iris/versions/1/ready?x=1",
      "/v2/models/iris/config,             /v2/models/iris/versions/1/config",
      "/v2/models/iris/stats,              /v2/models/iris/versions/1/stats",
      "/v1/models/iris:predict,            /v1/models/iris/versions/1:predict",
      "/v2/models/iris/versions/2/infer,   /v2/models/iris/versions/2/infer",
      "/v1/models/iris/versions/2:predict, /v1/models/iris/versions/2:predict",
      "/v1/models/iris,                    /v1/models/iris/versions/1",
      "/v1/models/iris/versions/2,         /v1/models/iris/versions/2",
      "/v2/models/iris/infer?,             /v2/models/iris/versions/1/infer",
  })
  void pinsTheTrackVersionUnlessTheClientNamedOne(String client, String upstream) {
    assertEquals(upstream, upstream(pinned, client));
  }

  @ParameterizedTest
  @CsvSource({
      "/v2/models/iris/infer,            /v2/models/iris/infer",
      "/v2/models/iris/versions/3/ready, /v2/models/iris/versions/3/ready",
      "/v1/models/iris:predict,          /v1/models/iris:predict",
      "/v1/models/iris,                  /v1/models/iris",
  })
  void unpinnedTracksLeaveTheVersionToTheClient(String client, String upstream) {
    assertEquals(upstream, upstream(unpinned, client));
  }

  @Test
  void theUpstreamPathNamesTheServicesModelNotTheClientsBytes() {
    // The service's model comes from the config; the router looked the service up by the matched name.
    TrackRoute other = new TrackRoute("flowers", new TrackConfig("stable", 100, "7", ENDPOINTS), null, null);
    assertEquals("/v2/models/flowers/versions/7/infer", other.upstreamUri(ModelPath.parse("/v2/models/iris/infer"), null));
  }
}
