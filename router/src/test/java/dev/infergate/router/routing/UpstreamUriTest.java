package dev.infergate.router.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.infergate.http.KServePath;
import dev.infergate.router.config.EndpointAddress;
import dev.infergate.router.config.TrackConfig;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The path a track sends upstream: rebuilt from what {@link KServePath} matched, with the track's
 * pin.
 */
class UpstreamUriTest {
  private static final List<EndpointAddress> ENDPOINTS =
      List.of(new EndpointAddress("127.0.0.1", 9001));
  private final TrackRoute pinned =
      new TrackRoute("iris", new TrackConfig("stable", 100, "1", ENDPOINTS), null, null);
  private final TrackRoute unpinned =
      new TrackRoute("iris", new TrackConfig("stable", 100, null, ENDPOINTS), null, null);

  private String upstream(TrackRoute t, String uri) {
    int q = uri.indexOf('?');
    String path = q < 0 ? uri : uri.substring(0, q);
    return t.upstreamUri(KServePath.parse(path), q < 0 ? null : uri.substring(q + 1));
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
    // The service's model comes from the config; the router looked the service up by the matched
    // name.
    TrackRoute other =
        new TrackRoute("flowers", new TrackConfig("stable", 100, "7", ENDPOINTS), null, null);
    assertEquals(
        "/v2/models/flowers/versions/7/infer",
        other.upstreamUri(KServePath.parse("/v2/models/iris/infer"), null));
  }
}
