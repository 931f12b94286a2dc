package dev.infergate.router.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The {@code cluster} block: defaults, validation naming the field and the value, passwords kept
 * out of messages.
 */
class ClusterConfigTest {
  private static final String SERVICES =
      "services:\n  iris:\n    tracks:\n"
          + "      stable: { weight: 100, endpoints: [http://127.0.0.1:9001] }\n";

  private static ClusterConfig parse(String cluster) throws ConfigException {
    return ConfigParser.parse(SERVICES + cluster, Map.of()).cluster();
  }

  private static String refused(String cluster) {
    return assertThrows(ConfigException.class, () -> parse(cluster), cluster).getMessage();
  }

  @Test
  void withoutAClusterBlockTheRouterRunsAlone() throws Exception {
    assertNull(parse(""));
  }

  @Test
  void clusterBlockTakesNamedDefaults() throws Exception {
    ClusterConfig c = parse("cluster: { redis: redis://127.0.0.1:6379/0 }\n");
    assertEquals(List.of("redis://127.0.0.1:6379/0"), c.redis());
    assertEquals(ClusterConfig.DEFAULT_TIMEOUT_MILLIS, c.timeoutMillis());
    assertEquals(20, c.timeoutMillis());
    assertEquals(ClusterConfig.DEFAULT_REPLICAS, c.replicas());
    assertEquals("infergate", c.keyPrefix());
    assertEquals("standalone", c.mode());
  }

  @Test
  void sentinelModeTakesSeveralUrls() throws Exception {
    ClusterConfig c =
        parse(
            "cluster: { redis: [redis://10.0.0.1:26379, redis://10.0.0.2:26379], mode: sentinel, "
                + "masterName: main }\n");
    assertEquals(2, c.redis().size());
    assertEquals("main", c.masterName());
  }

  @Test
  void invalidFieldsAreRefusedWithTheFieldAndTheValue() {
    assertTrue(refused("cluster: {}\n").contains("cluster.redis: required"));
    assertTrue(refused("cluster: { redis: http://127.0.0.1:6379 }\n").contains("cluster.redis"));
    assertTrue(refused("cluster: { redis: redis://127.0.0.1:6379/16 }\n").contains("database"));
    assertTrue(
        refused("cluster: { redis: [redis://a:1, redis://b:1] }\n")
            .contains("standalone mode takes one URL"));
    assertTrue(refused("cluster: { redis: redis://a:1, mode: ring }\n").contains("cluster.mode"));
    assertTrue(
        refused("cluster: { redis: redis://a:1, keyPrefix: 'a{b}' }\n")
            .contains("cluster.keyPrefix"));
    assertTrue(
        refused("cluster: { redis: redis://a:1, timeoutMillis: 0 }\n")
            .contains("cluster.timeoutMillis"));
    assertTrue(
        refused("cluster: { redis: redis://a:1, replicas: 0 }\n").contains("cluster.replicas"));
    assertTrue(
        refused("cluster: { redis: redis://a:1, leaseMillis: 10 }\n")
            .contains("cluster.leaseMillis"));
    assertTrue(refused("cluster: { redis: redis://a:1, bogus: 1 }\n").contains("bogus"));
  }

  @Test
  void aPasswordInTheUrlNeverAppearsInMessagesOrLogs() throws Exception {
    String message = refused("cluster: { redis: 'http://:s3cret@127.0.0.1:6379' }\n");
    assertFalse(message.contains("s3cret"), message);
    assertTrue(message.contains("***"), message);
    ClusterConfig c = parse("cluster: { redis: 'redis://:s3cret@127.0.0.1:6379' }\n");
    assertFalse(c.toString().contains("s3cret"), c.toString());
  }

  @Test
  void environmentVariableSetsTheUrlAndTurnsClusterOn() throws Exception {
    RouterConfig config =
        ConfigParser.parse(
            SERVICES, Map.of("INFERGATE_CLUSTER_REDIS", "redis://:pw@10.1.2.3:6380/2"));
    assertEquals(List.of("redis://:pw@10.1.2.3:6380/2"), config.cluster().redis());
  }
}
