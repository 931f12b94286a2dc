package dev.infergate.router.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.infergate.router.testsupport.ServiceYaml;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code upstream.transport}: the default, the choice, the refusal of anything else, the env
 * override, reloads.
 */
class UpstreamConfigTest {
  private static String config(String extra) {
    return ServiceYaml.configWith(
        extra, new ServiceYaml("iris").track("stable", 100, "1", "http://127.0.0.1:9"));
  }

  @Test
  void withoutAnUpstreamBlockTheTransportIsNetty() throws Exception {
    assertEquals(
        UpstreamConfig.Transport.NETTY,
        ConfigParser.parse(config(""), Map.of()).upstream().transport());
  }

  @Test
  void vertxCanBeChosen() throws Exception {
    assertEquals(
        UpstreamConfig.Transport.VERTX,
        ConfigParser.parse(config("upstream: { transport: vertx }\n"), Map.of())
            .upstream()
            .transport());
  }

  @Test
  void anUnknownTransportIsRefusedNamingThePathAndTheValue() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> ConfigParser.parse(config("upstream: { transport: okhttp }\n"), Map.of()));
    assertEquals("upstream.transport: must be netty or vertx, was 'okhttp'", e.getMessage());
  }

  @Test
  void anUnknownKeyInTheBlockIsRefused() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> ConfigParser.parse(config("upstream: { transprot: vertx }\n"), Map.of()));
    assertEquals(true, e.getMessage().contains("upstream.transprot"), e.getMessage());
  }

  @Test
  void theEnvironmentSwitchesTheTransportWithoutEditingTheFile() throws Exception {
    assertEquals(
        UpstreamConfig.Transport.VERTX,
        ConfigParser.parse(
                config("upstream: { transport: netty }\n"),
                Map.of("INFERGATE_UPSTREAM_TRANSPORT", "vertx"))
            .upstream()
            .transport());
  }

  @Test
  void aReloadKeepsTheTransportTheRouterStartedWith() throws Exception {
    RouterConfig running = ConfigParser.parse(config(""), Map.of());
    RouterConfig reloaded =
        ConfigParser.parse(config("upstream: { transport: vertx }\n"), Map.of());
    assertEquals(
        UpstreamConfig.Transport.NETTY, reloaded.reloadedOver(running).upstream().transport());
  }
}
