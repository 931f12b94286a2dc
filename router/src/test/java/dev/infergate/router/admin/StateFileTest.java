package dev.infergate.router.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.router.RouterMain;
import dev.infergate.router.config.ConfigException;
import dev.infergate.router.testsupport.LaunchedProcess;
import dev.infergate.router.testsupport.Poll;
import dev.infergate.router.testsupport.RouterHarness;
import dev.infergate.router.testsupport.ServiceYaml;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The state file is validated as strictly as the config file: a bad one stops the start, naming the
 * field.
 */
class StateFileTest {
  private static final String[][] BAD_FILES = {
    {"", "not a JSON object"},
    {"{\"version\": 1, \"services\": {\"iris\": {\"override\": {\"weig", "not a JSON object"},
    {"[1, 2]", "not a JSON object"},
    {"\u0000\u0001garbage", "not a JSON object"},
    {"{\"services\": {}}", "version: must be 1, was null"},
    {"{\"version\": \"1\", \"services\": {}}", "version: must be 1, was 1"},
    {"{\"version\": 1}", "services: must be a JSON object, was null"},
    {"{\"version\": 1, \"services\": null}", "services: must be a JSON object, was null"},
    {"{\"version\": 1, \"services\": []}", "services: must be a JSON object, was []"},
    {
      "{\"version\": 1, \"auditSeq\": -3, \"services\": {}}",
      "auditSeq: must be an integer >= 0, was -3"
    },
    {
      "{\"version\": 1, \"auditSeq\": \"7\", \"services\": {}}",
      "auditSeq: must be an integer >= 0, was 7"
    },
    {"{\"version\": 1, \"services\": {}, \"extra\": 1}", "extra: unknown field"},
    {
      "{\"version\": 1, \"services\": {\"iris\": null}}",
      "services.iris: must be a JSON object, was null"
    },
    {
      "{\"version\": 1, \"services\": {\"iris\": {\"override\": null}}}",
      "services.iris.override: must be a JSON object, was null"
    },
    {
      "{\"version\": 1, \"services\": {\"iris\": {\"override\": {\"weights\": {\"stable\": 500, \"canary\": -400}}}}}",
      "services.iris.override.weights.stable: must be 0..100, was 500"
    },
    {
      "{\"version\": 1, \"services\": {\"iris\": {\"override\": {\"weights\": {\"stable\": 100, \"canary\": -0.5}}}}}",
      "services.iris.override.weights.canary: must be an integer, was -0.5"
    },
    {
      "{\"version\": 1, \"services\": {\"iris\": {\"override\": {\"weights\": {\"stable\": \"50\", \"canary\": 50}}}}}",
      "services.iris.override.weights.stable: must be an integer, was 50"
    },
    {
      "{\"version\": 1, \"services\": {\"iris\": {\"override\": {\"weights\": {\"stable\": null}}}}}",
      "services.iris.override.weights.stable: must be an integer, was null"
    },
    {
      "{\"version\": 1, \"services\": {\"iris\": {\"override\": {\"weights\": {\"stable\": 60, \"canary\": 30}}}}}",
      "services.iris.override.weights: weights must sum to 100, they sum to 90"
    },
    {
      "{\"version\": 1, \"services\": {\"iris\": {\"override\": {\"weights\": {}}}}}",
      "services.iris.override.weights: must name at least one track"
    },
    {
      "{\"version\": 1, \"services\": {\"iris\": {\"override\": {\"weights\": [100]}}}}",
      "services.iris.override.weights: must be a JSON object, was [100]"
    },
    {
      "{\"version\": 1, \"services\": {\"wine\": {\"override\": {\"active\": 7}}}}",
      "services.wine.override.active: must be a track name, was 7"
    },
    {
      "{\"version\": 1, \"services\": {\"wine\": {\"override\": {\"active\": \"\"}}}}",
      "services.wine.override.active: must be a track name, was "
    },
    {
      "{\"version\": 1, \"services\": {\"wine\": {\"override\": {}}}}",
      "services.wine.override: must hold either weights or active"
    },
    {
      "{\"version\": 1, \"services\": {\"wine\": {\"override\": {\"active\": \"blue\", \"weights\": {\"a\": 100}}}}}",
      "services.wine.override: must hold either weights or active"
    },
    {
      "{\"version\": 1, \"services\": {\"wine\": {\"override\": {\"activ\": \"blue\"}}}}",
      "services.wine.override.activ: unknown field"
    },
    {
      "{\"version\": 1, \"services\": {\"wine\": {\"history\": {}}}}",
      "services.wine.history: must be a list, was {}"
    },
    {
      "{\"version\": 1, \"services\": {\"wine\": {\"history\": [null, {\"active\": 3}]}}}",
      "services.wine.history[1].active: must be a track name, was 3"
    },
    {
      "{\"version\": 1, \"services\": {\"wine\": {\"history\": [\"blue\"]}}}",
      "services.wine.history[0]: must be a JSON object, was blue"
    },
  };

  @Test
  void refusesBadStateFilesNamingTheFieldAndTheValue(@TempDir Path dir) throws Exception {
    Path path = dir.resolve("router-state.json");
    StateFile file = new StateFile(path);
    for (String[] c : BAD_FILES) {
      Files.writeString(path, c[0]);
      ConfigException e = assertThrows(ConfigException.class, file::load, c[0]);
      assertTrue(e.getMessage().startsWith("state file " + path + ": "), e.getMessage());
      assertTrue(e.getMessage().contains(": " + c[1]), c[0] + " -> " + e.getMessage());
    }
  }

  @Test
  void refusesAStateFileThatIsNotText(@TempDir Path dir) throws Exception {
    Path path =
        Files.write(
            dir.resolve("router-state.json"), new byte[] {(byte) 0xff, (byte) 0xfe, 0x7b, 0x00});
    ConfigException e = assertThrows(ConfigException.class, new StateFile(path)::load);
    assertEquals("state file " + path + ": not UTF-8 text (not a state file)", e.getMessage());
  }

  @Test
  void acceptsTheFilesItWritesAndOlderFilesWithoutAnAuditSeq(@TempDir Path dir) throws Exception {
    Path path = dir.resolve("router-state.json");
    Files.writeString(
        path,
        "{\"version\": 1, \"services\": {\"iris\": {\"override\": {\"weights\": "
            + "{\"stable\": 0, \"canary\": 100}}, \"history\": [null]}, \"wine\": {\"override\": {\"active\": \"green\"}}}}");
    StateFile.Saved saved = new StateFile(path).load();
    assertEquals(0, saved.auditSeq());
    assertEquals(Map.of("stable", 0, "canary", 100), saved.state().override("iris").weights());
    assertEquals("green", saved.state().override("wine").active());
    new StateFile(path).save(saved.state(), 12);
    assertEquals(new StateFile.Saved(saved.state(), 12), new StateFile(path).load());
  }

  @Test
  void aRouterDoesNotStartOnAStateFileWithOutOfRangeWeights(@TempDir Path dir) throws Exception {
    Files.writeString(
        dir.resolve("router-state.json"),
        "{\"version\": 1, \"services\": {\"iris\": {\"override\": "
            + "{\"weights\": {\"stable\": 500, \"canary\": -400}}}}}");
    String yaml =
        ServiceYaml.config(
            new ServiceYaml("iris")
                .track("stable", 90, "1", "http://127.0.0.1:1")
                .track("canary", 10, "2", "http://127.0.0.1:2"));
    ConfigException e =
        assertThrows(ConfigException.class, () -> RouterHarness.start(dir, yaml).close());
    assertTrue(
        e.getMessage().endsWith("services.iris.override.weights.stable: must be 0..100, was 500"),
        e.getMessage());

    Path config =
        Files.writeString(
            dir.resolve("router.yaml"),
            "stateFile: " + dir.resolve("router-state.json") + "\n" + yaml);
    LaunchedProcess router =
        LaunchedProcess.start(
            "router-bad-state",
            List.of(
                LaunchedProcess.java(),
                "-Xmx128m",
                "-cp",
                System.getProperty("java.class.path"),
                RouterMain.class.getName(),
                "--config",
                config.toString()));
    assertTrue(router.process().waitFor(30, TimeUnit.SECONDS), "router did not exit");
    assertEquals(2, router.process().exitValue(), "exit code, as for an invalid config");
    Poll.until(
        Duration.ofSeconds(5),
        () -> router.output().contains("must be 0..100, was 500"),
        "the error on stderr");
  }
}
