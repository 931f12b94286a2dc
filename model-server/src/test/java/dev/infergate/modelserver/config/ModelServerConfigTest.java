package dev.infergate.modelserver.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin listener and the shutdown delay: defaults, the YAML block, the flags and validation.
 */
class ModelServerConfigTest {
  @Test
  void adminListenerIsLoopbackByDefault() {
    ModelServerConfig config = ModelServerConfig.load(CommandLine.parse());
    assertEquals(new AdminListener("127.0.0.1", 9101), config.admin());
    assertEquals(ModelServerConfig.DEFAULT_PRE_STOP_DELAY_MILLIS, config.preStopDelayMillis());
  }

  @Test
  void readsTheAdminBlockAndLetsFlagsOverrideIt(@TempDir Path dir) throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("ms.yaml"),
            "admin: { host: 10.0.0.7, port: 9200 }\npreStopDelayMillis: 250\n");
    ModelServerConfig fromFile =
        ModelServerConfig.load(CommandLine.parse("--config", file.toString()));
    assertEquals(new AdminListener("10.0.0.7", 9200), fromFile.admin());
    assertEquals(250, fromFile.preStopDelayMillis());
    ModelServerConfig flags =
        ModelServerConfig.load(
            CommandLine.parse(
                "--config", file.toString(), "--admin-port", "0", "--admin-host", "192.168.1.2"));
    assertEquals(new AdminListener("192.168.1.2", 0), flags.admin());
  }

  @Test
  void refusesBadAdminSettingsNamingTheField(@TempDir Path dir) throws Exception {
    assertMessage(dir, "admin: { port: 70000 }", "admin.port: must be 0..65535, was 70000");
    assertMessage(dir, "admin: { prot: 9101 }", "admin.prot: unknown field");
    assertMessage(dir, "admin: { host: '' }", "admin.host: must not be empty");
    assertMessage(dir, "port: 9101", "admin.port: must differ from port, both were 9101");
    assertMessage(dir, "preStopDelayMillis: -1", "preStopDelayMillis: must be 0..600000, was -1");
    ConfigException flag =
        assertThrows(ConfigException.class, () -> CommandLine.parse("--admin-port", "x"));
    assertTrue(flag.getMessage().contains("--admin-port: must be an integer"), flag.getMessage());
  }

  @Test
  void failureIsolationIsTheDefaultAndStrictComesFromTheFileOrTheFlag(@TempDir Path dir)
      throws Exception {
    assertFalse(ModelServerConfig.load(CommandLine.parse()).strict());
    assertTrue(ModelServerConfig.load(CommandLine.parse("--strict")).strict());
    Path file = Files.writeString(dir.resolve("ms.yaml"), "strict: true\n");
    assertTrue(ModelServerConfig.load(CommandLine.parse("--config", file.toString())).strict());
    assertMessage(dir, "strict: sometimes", "strict: must be true or false, was sometimes");
    assertMessage(
        dir,
        "modelDefaults: { maxBatchSize: 8, maxQueueSize: 2, maxRequestRows: 17 }",
        "modelDefaults.maxRequestRows: must be <= maxBatchSize × maxQueueSize (8 × 2 = 16), was 17");
  }

  @Test
  void refusesARepeatedKeyAsTheRouterDoes(@TempDir Path dir) throws Exception {
    assertMessage(dir, "port: 9000\nport: 9001", "not valid YAML");
  }

  private static void assertMessage(Path dir, String yaml, String expected) throws Exception {
    Path file = Files.writeString(dir.resolve("bad.yaml"), yaml + "\n");
    ConfigException error =
        assertThrows(
            ConfigException.class,
            () -> ModelServerConfig.load(CommandLine.parse("--config", file.toString())));
    assertTrue(
        error.getMessage().contains(expected),
        "'" + error.getMessage() + "' should say '" + expected + "'");
  }
}
