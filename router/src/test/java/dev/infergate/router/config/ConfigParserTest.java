package dev.infergate.router.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigParserTest {
  private static final String VALID =
      """
      listen: { host: 0.0.0.0, port: 8080 }
      admin:  { host: 127.0.0.1, port: 8081 }
      stateFile: state/router-state.json
      maxBodyBytes: 8388608
      services:
        iris:
          model: iris
          strategy: canary
          tracks:
            stable: { weight: 90, modelVersion: "1", endpoints: [http://127.0.0.1:9001, http://127.0.0.1:9002] }
            canary: { weight: 10, modelVersion: "2", endpoints: [http://127.0.0.1:9003] }
          fallbackTrack: stable
          timeoutMillis: 5000
          retry: { attempts: 3, budgetPercent: 20, minConcurrent: 10 }
          circuitBreaker: { failureRatePercent: 50, slowCallMillis: 2000, window: 20, openMillis: 5000 }
          healthCheck: { path: /v2/health/ready, intervalMillis: 1000 }
      """;

  private static RouterConfig parse(String yaml) throws ConfigException {
    return ConfigParser.parse(yaml, Map.of());
  }

  private static String error(String yaml) {
    return assertThrows(ConfigException.class, () -> parse(yaml)).getMessage();
  }

  @Test
  void parsesTheDesignExampleIntoRecords() throws Exception {
    RouterConfig c = parse(VALID);
    assertEquals(new HostPort("0.0.0.0", 8080), c.listen());
    assertEquals(new HostPort("127.0.0.1", 8081), c.admin());
    assertEquals("state/router-state.json", c.stateFile());
    assertEquals(8388608, c.maxBodyBytes());
    assertFalse(c.allowTrackOverride());
    ServiceConfig iris = c.services().get("iris");
    assertEquals(Strategy.CANARY, iris.strategy());
    assertEquals(
        List.of("stable", "canary"), iris.tracks().stream().map(TrackConfig::name).toList());
    assertEquals(90, iris.tracks().get(0).weight());
    assertEquals("1", iris.tracks().get(0).modelVersion());
    assertEquals(
        List.of(new EndpointAddress("127.0.0.1", 9001), new EndpointAddress("127.0.0.1", 9002)),
        iris.tracks().get(0).endpoints());
    assertEquals("stable", iris.fallbackTrack());
    assertEquals(new RetryConfig(3, 20, 10, 5000), iris.retry());
    assertEquals(
        new BreakerConfig(50, 2000, 100, 20, 5000, Defaults.BREAKER_HALF_OPEN_CALLS),
        iris.circuitBreaker());
    assertEquals(new HealthCheckConfig("/v2/health/ready", 1000, 1000), iris.healthCheck());
  }

  @Test
  void shippedRouterYamlIsValid() throws Exception {
    Path shipped = locate("config/router.yaml");
    RouterConfig c = parse(Files.readString(shipped));
    assertEquals(8080, c.listen().port());
    assertEquals(2, c.services().get("iris").tracks().size());
  }

  @Test
  void namesFieldAndSumWhenWeightsDoNotAddUpTo100() {
    assertEquals(
        "services.iris.tracks: weights must sum to 100, they sum to 110",
        error(VALID.replace("weight: 10", "weight: 20")));
  }

  @Test
  void namesFieldAndValueForWeightOutOfRange() {
    assertEquals(
        "services.iris.tracks.canary.weight: must be 0..100, was 120",
        error(VALID.replace("weight: 10", "weight: 120")));
  }

  @Test
  void shutdownDefaultsToAShortPreStopDelayAndRefusesNegativeValues() throws Exception {
    assertEquals(ShutdownConfig.DEFAULTS, parse(VALID).shutdown());
    assertEquals(
        new ShutdownConfig(0, 3000),
        parse(VALID + "shutdown: { preStopDelayMillis: 0, drainMillis: 3000 }\n").shutdown());
    assertEquals(
        "shutdown.preStopDelayMillis: must be 0..300000, was -1",
        error(VALID + "shutdown: { preStopDelayMillis: -1 }\n"));
    assertTrue(
        error(VALID + "shutdown: { delay: 5 }\n").startsWith("shutdown.delay: unknown"),
        error(VALID + "shutdown: { delay: 5 }\n"));
  }

  private static final String AUTH =
      """
      auth:
        jwks: file:state/dev/jwks.json
        issuer: https://auth.example.com
        audience: infergate
        algorithms: [RS256, ES256]
        leewaySeconds: 30
        rolesClaim: roles
        adminRole: infergate-admin
        overrideRole: infergate-tester
        planClaim: plan
      rateLimits:
        default: { perSecond: 50, burst: 100 }
        plans:
          gold: { perSecond: 500, burst: 1000 }
        services:
          iris: { perSecond: 20 }
      """;

  @Test
  void parsesAuthRateLimitsAndTls() throws Exception {
    RouterConfig c =
        parse(VALID + AUTH + "tls: { certFile: /etc/tls/tls.crt, keyFile: /etc/tls/tls.key }\n");
    assertEquals("file:state/dev/jwks.json", c.auth().jwks());
    assertEquals(java.util.Set.of("RS256", "ES256"), c.auth().algorithms());
    assertEquals("infergate-admin", c.auth().adminRole());
    assertEquals(new RateLimitConfig.Limit(50, 100), c.rateLimits().forPlan(null));
    assertEquals(new RateLimitConfig.Limit(500, 1000), c.rateLimits().forPlan("gold"));
    assertEquals(new RateLimitConfig.Limit(50, 100), c.rateLimits().forPlan("unknown-plan"));
    assertEquals(new RateLimitConfig.Limit(20, 20), c.rateLimits().services().get("iris"));
    assertEquals(new TlsConfig("/etc/tls/tls.crt", "/etc/tls/tls.key"), c.tls());
    assertNull(parse(VALID).auth());
  }

  @Test
  void withAuthTheAdminListenerMayLeaveLoopback() throws Exception {
    assertEquals(
        "0.0.0.0",
        parse(VALID.replace("host: 127.0.0.1, port: 8081", "host: 0.0.0.0, port: 8081") + AUTH)
            .admin()
            .host());
  }

  @Test
  void refusesBadAuthAndLimitBlocksNamingTheField() {
    assertTrue(
        error(VALID + AUTH.replace("[RS256, ES256]", "[RS256, none]"))
            .startsWith("auth.algorithms: none is not allowed"));
    assertTrue(
        error(VALID + AUTH.replace("[RS256, ES256]", "[HS256]"))
            .startsWith("auth.algorithms: HS256 needs auth.hmacSecretFile"));
    assertTrue(
        error(VALID + AUTH.replace("file:state/dev/jwks.json", "http://issuer.example.com/jwks"))
            .startsWith("auth.jwks: must be file:PATH or https://"));
    assertTrue(
        error(VALID + AUTH.replace("  issuer: https://auth.example.com\n", ""))
            .startsWith("auth.issuer: required"));
    assertTrue(
        error(VALID + AUTH.replace("perSecond: 50, burst: 100", "perSecond: 0, burst: 100"))
            .startsWith("rateLimits.default.perSecond: must be"));
    assertTrue(
        error(VALID + AUTH.replace("iris: { perSecond: 20 }", "mnist: { perSecond: 20 }"))
            .startsWith("rateLimits.services.mnist: no such service"));
    assertTrue(
        error(VALID + AUTH + "allowTrackOverride: true\n")
            .startsWith("allowTrackOverride: only for set-ups without auth"));
    assertTrue(
        error(VALID + "tls: { certFile: a.pem }\n")
            .startsWith("tls: needs both certFile and keyFile"));
  }

  @Test
  void refusesUnknownFieldsNamingThePath() {
    String msg = error(VALID.replace("attempts: 3", "atempts: 3"));
    assertTrue(msg.startsWith("services.iris.retry.atempts: unknown field"), msg);
  }

  @Test
  void refusesNonLoopbackAdminWithoutAuth() {
    String msg = error(VALID.replace("host: 127.0.0.1, port: 8081", "host: 0.0.0.0, port: 8081"));
    assertTrue(msg.startsWith("admin.host: must be a loopback address"), msg);
  }

  @Test
  void refusesBadEndpointUrls() {
    assertEquals(
        "services.iris.tracks.canary.endpoints[0]: must be http://host[:port] or dns://name:port "
            + "(scheme http or dns), was 'https://x:1'",
        error(VALID.replace("[http://127.0.0.1:9003]", "[https://x:1]")));
    assertEquals(
        "services.iris.tracks.canary.endpoints[0]: must be http://host[:port] with no path, was 'http://x:1/v2'",
        error(VALID.replace("[http://127.0.0.1:9003]", "[http://x:1/v2]")));
    assertEquals(
        "services.iris.tracks.stable.endpoints[1]: duplicate endpoint http://127.0.0.1:9001",
        error(VALID.replace("http://127.0.0.1:9002", "http://127.0.0.1:9001")));
  }

  @Test
  void refusesUnknownFallbackTrackAndStrategy() {
    assertEquals(
        "services.iris.fallbackTrack: must name a track (stable, canary), was 'blue'",
        error(VALID.replace("fallbackTrack: stable", "fallbackTrack: blue")));
    assertEquals(
        "services.iris.strategy: must be canary or blue-green, was 'random'",
        error(VALID.replace("strategy: canary", "strategy: random")));
  }

  @Test
  void blueGreenNeedsAnActiveTrackAndNoWeights() throws Exception {
    String bg =
        """
        services:
          iris:
            strategy: blue-green
            active: blue
            tracks:
              blue: { modelVersion: "1", endpoints: [http://127.0.0.1:9001] }
              green: { modelVersion: "2", endpoints: [http://127.0.0.1:9002] }
        """;
    ServiceConfig s = parse(bg).services().get("iris");
    assertEquals("blue", s.active());
    assertNull(s.fallbackTrack());
    assertEquals(
        "services.iris.active: required for strategy blue-green",
        error(bg.replace("    active: blue\n", "")));
    assertEquals(
        "services.iris.active: must name a track (blue, green), was 'red'",
        error(bg.replace("active: blue", "active: red")));
    assertEquals(
        "services.iris.tracks.blue.weight: not used by strategy blue-green (use active)",
        error(bg.replace("blue: {", "blue: { weight: 50,")));
  }

  @Test
  void environmentOverridesSingleValues() throws Exception {
    RouterConfig c =
        ConfigParser.parse(
            VALID,
            Map.of(
                "INFERGATE_LISTEN_PORT",
                "9999",
                "INFERGATE_MAX_BODY_BYTES",
                "1024",
                "INFERGATE_ALLOW_TRACK_OVERRIDE",
                "true"));
    assertEquals(9999, c.listen().port());
    assertEquals(1024, c.maxBodyBytes());
    assertTrue(c.allowTrackOverride());
    String msg =
        assertThrows(
                ConfigException.class,
                () -> ConfigParser.parse(VALID, Map.of("INFERGATE_LISTEN_PORT", "http")))
            .getMessage();
    assertEquals(
        "listen.port: must be an integer, was 'http' (set by environment variable INFERGATE_LISTEN_PORT)",
        msg);
  }

  @Test
  void refusesTwoServicesForOneModelAndMissingServices() {
    String two =
        VALID
            + """
          iris2:
            model: iris
            tracks:
              only: { weight: 100, endpoints: [http://127.0.0.1:9009] }
        """;
    assertEquals("services.iris2.model: 'iris' is already served by service 'iris'", error(two));
    assertEquals("services: required", error("listen: { port: 1 }\n"));
  }

  @Test
  void refusesInvalidYamlWithAReason() {
    assertTrue(error("services: [unclosed").startsWith("not valid YAML"));
  }

  @Test
  void loaderPrefixesTheFileName(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
    Path f = dir.resolve("r.yaml");
    Files.writeString(f, VALID.replace("weight: 10", "weight: 11"));
    String msg =
        assertThrows(ConfigException.class, () -> new ConfigLoader(f, Map.of()).load())
            .getMessage();
    assertEquals(f + ": services.iris.tracks: weights must sum to 100, they sum to 101", msg);
  }

  /** Finds a file of the repository from the router module or the repository root. */
  /**
   * The scenario as a unit: the reload drops auth: and sets allowTrackOverride while auth
   * runs.
   */
  @Test
  void aReloadThatDropsAuthAndAllowsTrackOverrideIsRefusedOverARouterRunningWithAuth() {
    RouterConfig running = parse(VALID + AUTH);
    RouterConfig reloaded = parse(VALID + "allowTrackOverride: true\n");
    ConfigException e = assertThrows(ConfigException.class, () -> reloaded.reloadedOver(running));
    assertTrue(
        e.getMessage().startsWith("allowTrackOverride: only for set-ups without auth"),
        e.getMessage());
    RouterConfig kept = parse(VALID).reloadedOver(running);
    assertEquals(running.auth(), kept.auth(), "auth is restart-only: the running one stays");
    assertFalse(kept.allowTrackOverride());
  }

  static Path locate(String relative) {
    for (Path p : List.of(Path.of(relative), Path.of("..").resolve(relative))) {
      if (Files.exists(p)) {
        return p;
      }
    }
    throw new AssertionError("cannot find " + relative + " from " + Path.of("").toAbsolutePath());
  }
}
