package dev.infergate.router.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.router.config.TrackConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelPathTest {
  private final TrackRoute pinned = new TrackRoute("iris", new TrackConfig("stable", 100, "1", List.of()), null, null);
  private final TrackRoute unpinned = new TrackRoute("iris", new TrackConfig("stable", 100, null, List.of()), null, null);

  private String upstream(TrackRoute t, String uri) {
    int q = uri.indexOf('?');
    String path = q < 0 ? uri : uri.substring(0, q);
    return t.upstreamUri(ModelPath.parse(path), uri, q < 0 ? null : uri.substring(q + 1));
  }

  @Test
  void parsesV2AndV1ModelPaths() {
    assertEquals(new ModelPath(ModelPath.Protocol.V2, "iris", "/infer", false), ModelPath.parse("/v2/models/iris/infer"));
    assertEquals(new ModelPath(ModelPath.Protocol.V2, "iris", "", false), ModelPath.parse("/v2/models/iris"));
    assertTrue(ModelPath.parse("/v2/models/iris/versions/2/infer").versioned());
    assertEquals(new ModelPath(ModelPath.Protocol.V1, "iris", ":predict", false), ModelPath.parse("/v1/models/iris:predict"));
    assertTrue(ModelPath.parse("/v1/models/iris/versions/2:predict").versioned());
    assertFalse(ModelPath.parse("/v1/models/iris:predict").versioned());
  }

  @Test
  void pathsThatNameNoModelAreNotRoutes() {
    assertNull(ModelPath.parse("/v2/models/"));
    assertNull(ModelPath.parse("/v2/health/ready"));
    assertNull(ModelPath.parse("/v1/models/iris"));
    assertNull(ModelPath.parse("/metrics"));
  }

  @Test
  void pinsTheTrackVersionIntoUnversionedPaths() {
    assertEquals("/v2/models/iris/versions/1/infer", upstream(pinned, "/v2/models/iris/infer"));
    assertEquals("/v2/models/iris/versions/1", upstream(pinned, "/v2/models/iris"));
    assertEquals("/v2/models/iris/versions/1/ready?x=1", upstream(pinned, "/v2/models/iris/ready?x=1"));
    assertEquals("/v1/models/iris/versions/1:predict", upstream(pinned, "/v1/models/iris:predict"));
  }

  @Test
  void leavesExplicitVersionsAndUnpinnedTracksAlone() {
    assertEquals("/v2/models/iris/versions/2/infer", upstream(pinned, "/v2/models/iris/versions/2/infer"));
    assertEquals("/v2/models/iris/infer", upstream(unpinned, "/v2/models/iris/infer"));
  }
}
