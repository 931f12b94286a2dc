package dev.infergate.modelserver.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import dev.infergate.modelserver.batching.ScheduledBatchTimer;
import dev.infergate.modelserver.config.BatchPolicy;
import dev.infergate.modelserver.config.DeviceSpec;
import dev.infergate.modelserver.runtime.ModelLoadException;
import dev.infergate.modelserver.runtime.SessionFactory;
import dev.infergate.modelserver.testsupport.LogCapture;
import dev.infergate.modelserver.testsupport.TestModels;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelRepositoryTest {
  private final ExecutorService workers = Executors.newFixedThreadPool(2);
  private final ScheduledBatchTimer timer = new ScheduledBatchTimer();

  @TempDir Path dir;

  private ModelRepository repository(Path root) {
    return new ModelRepository(
        root,
        BatchPolicy.DEFAULT,
        new SessionFactory(DeviceSpec.CPU, 1),
        new SimpleMeterRegistry(),
        workers,
        timer);
  }

  @AfterEach
  void stop() {
    workers.shutdownNow();
    timer.close();
  }

  @Test
  void loadsEveryVersionWithItsConfigAndDefaultsToTheHighest() throws Exception {
    ModelRepository repository = repository(TestModels.bundled());
    repository.loadAll();
    ServedModel iris = repository.model("iris").orElseThrow();
    assertEquals(2, iris.versions().size());
    assertEquals("2", iris.defaultVersion().version());
    assertEquals("1", iris.version("1").orElseThrow().version());
    assertEquals(64, iris.defaultVersion().maxBatchSize());
    assertEquals(3, iris.defaultVersion().labels().size());
    assertEquals("CPU", iris.defaultVersion().executionProvider());
  }

  @Test
  void keepsTheOldVersionsServingWhenAReloadFails() throws Exception {
    Path models = TestModels.copyWithConfig(dir, "");
    ModelRepository repository = repository(models);
    repository.loadAll();
    ServedModel before = repository.model("iris").orElseThrow();
    Files.writeString(models.resolve("iris/2/model.onnx"), "not an onnx model");
    assertThrows(ModelLoadException.class, () -> repository.load("iris"));
    assertSame(before, repository.model("iris").orElseThrow(), "the old versions still serve");
  }

  @Test
  void refusesLabelsThatMatchNoOutput() throws Exception {
    Path models = TestModels.copyWithConfig(dir, "labels: [a, b]");
    ModelLoadException error =
        assertThrows(ModelLoadException.class, () -> repository(models).loadAll());
    assertTrue(error.getMessage().contains("2 labels"), error.getMessage());
  }

  @Test
  void refusesAnUnknownConfigFieldNamingIt() {
    Path models = TestModels.copyWithConfig(dir, "maxBatchSise: 8");
    ModelLoadException error =
        assertThrows(ModelLoadException.class, () -> repository(models).loadAll());
    assertTrue(error.getMessage().contains("maxBatchSise"), error.getMessage());
  }

  @Test
  void unloadsAndListsTheModelAsUnavailable() throws Exception {
    ModelRepository repository = repository(TestModels.bundled());
    repository.loadAll();
    assertTrue(repository.unload("iris"));
    assertFalse(repository.model("iris").isPresent());
    assertEquals(VersionState.UNAVAILABLE, repository.index().get(0).state());
    assertEquals("unloaded", repository.index().get(0).reason());
    assertFalse(repository.unload("iris"));
    repository.load("iris");
    assertEquals(VersionState.READY, repository.index().get(0).state());
  }

  @Test
  void servesTheGoodModelAndListsEachBadOneUnavailableWithItsReason() throws Exception {
    ModelRepository repository = repository(TestModels.brokenNextToGood(dir));
    repository.loadAll(false);
    assertEquals(
        List.of("iris"), repository.loadedModels().stream().map(ServedModel::name).toList());
    Map<String, ModelRepository.IndexEntry> byName = new HashMap<>();
    repository.index().forEach(entry -> byName.putIfAbsent(entry.name(), entry));
    assertEquals(VersionState.READY, byName.get("iris").state());
    assertReason(byName.get("garbage"), "not an ONNX model");
    assertReason(byName.get("empty"), "is empty (0 bytes)");
    assertReason(
        byName.get("future_ir"),
        "IR version "
            + TestModels.FUTURE_IR_VERSION
            + " is newer than this server's ONNX Runtime "
            + OrtEnvironment.getEnvironment().getVersion()
            + " supports");
    assertReason(byName.get("future_opset"), "opset " + TestModels.FUTURE_OPSET + " of ai.onnx");
    assertReason(
        byName.get("no_file"),
        "no versions: expected no_file/<version>/model.onnx; [1] hold no model.onnx");
    assertEquals("1", byName.get("garbage").version());
    assertEquals(
        VersionState.UNAVAILABLE, repository.notServing("garbage", null).orElseThrow().state());
    assertTrue(repository.notServing("iris", null).isEmpty());
    assertTrue(repository.notServing("nonexistent", null).isEmpty());
  }

  @Test
  void strictLoadStopsAtTheFirstBadModelNamingIt() {
    ModelRepository repository = repository(TestModels.brokenNextToGood(dir));
    ModelLoadException error =
        assertThrows(ModelLoadException.class, () -> repository.loadAll(true));
    assertTrue(
        error
            .getMessage()
            .startsWith("model 'empty' failed to load: version 1: model.onnx is empty"),
        error.getMessage());
  }

  @Test
  void aModelWithOneBadVersionServesNoneAndSaysWhich() throws Exception {
    Path models = TestModels.copyWithConfig(dir, "");
    Files.writeString(models.resolve("iris/2/model.onnx"), "not an onnx model");
    ModelRepository repository = repository(models);
    repository.loadAll(false);
    assertFalse(
        repository.model("iris").isPresent(),
        "no silent fallback to version 1 for unpinned requests");
    List<ModelRepository.IndexEntry> index = repository.index();
    assertEquals(2, index.size(), index.toString());
    assertTrue(index.get(0).reason().contains("loads, but version 2 does not"), index.toString());
    assertReason(index.get(1), "not an ONNX model");
    assertEquals(index.get(1).reason(), repository.notServing("iris", "2").orElseThrow().reason());
  }

  @Test
  void aFailedLoadThroughTheApiIsListedWithItsReasonNotAsUnloaded() throws Exception {
    Path models = TestModels.copyWithConfig(dir, "");
    ModelRepository repository = repository(models);
    repository.loadAll();
    assertTrue(repository.unload("iris"));
    Files.write(models.resolve("iris/2/model.onnx"), new byte[0]);
    try (LogCapture log = LogCapture.start()) {
      ModelLoadException error =
          assertThrows(ModelLoadException.class, () -> repository.load("iris"));
      assertTrue(
          error
              .getMessage()
              .contains("model 'iris' failed to load: version 2: model.onnx is empty"),
          error.getMessage());
      String logged = String.join("\n", log.atLeast(Level.WARNING));
      assertTrue(
          logged.contains(
              "model 'iris' version 2 failed to load from "
                  + models.resolve("iris/2/model.onnx").toAbsolutePath()),
          logged);
    }
    ModelRepository.IndexEntry entry = repository.index().get(1);
    assertEquals("2", entry.version());
    assertReason(entry, "model.onnx is empty");
  }

  @Test
  void readsATritonConfigPbtxtNextToTheModelWithConfigYamlWinningWhereBothSetAValue()
      throws Exception {
    Path models = TestModels.copyWithConfig(dir, "");
    Path config = models.resolve("iris/config.yaml");
    String kept =
        Files.readAllLines(config).stream()
            .filter(line -> line.startsWith("features") || line.startsWith("labels"))
            .reduce("", (a, b) -> a + b + "\n");
    Files.writeString(config, kept + "maxQueueSize: 100\n");
    Files.writeString(
        models.resolve("iris/config.pbtxt"),
        """
        platform: "onnxruntime_onnx"
        max_batch_size: 8
        dynamic_batching { max_queue_delay_microseconds: 250, default_queue_policy { max_queue_size: 50 } }
        instance_group [ { count: 2 } ]
        """);
    ModelRepository repository = repository(models);
    repository.loadAll();
    BatchPolicy policy =
        repository.model("iris").orElseThrow().defaultVersion().config().batching();
    assertEquals(new BatchPolicy(8, 250_000, 100, 2), policy);
  }

  @Test
  void aTritonConfigItCannotHonourMakesTheModelUnavailableNamingFileAndLine() throws Exception {
    Path models = TestModels.brokenNextToGood(dir);
    Files.createDirectories(models.resolve("ensemble/1"));
    Files.copy(models.resolve("iris/1/model.onnx"), models.resolve("ensemble/1/model.onnx"));
    Files.writeString(
        models.resolve("ensemble/config.pbtxt"), "name: \"ensemble\"\nplatform: \"ensemble\"\n");
    ModelRepository repository = repository(models);
    repository.loadAll(false);
    assertTrue(repository.model("iris").isPresent());
    ModelRepository.IndexEntry entry =
        repository.index().stream()
            .filter(e -> e.name().equals("ensemble"))
            .findFirst()
            .orElseThrow();
    assertReason(entry, "config.pbtxt:2: platform 'ensemble' cannot be served");
  }

  private static void assertReason(ModelRepository.IndexEntry entry, String expected) {
    assertEquals(VersionState.UNAVAILABLE, entry.state(), String.valueOf(entry));
    assertTrue(
        entry.reason().contains(expected),
        "'" + entry.reason() + "' should say '" + expected + "'");
  }

  @Test
  void refusesNamesThatCouldLeaveTheRepository() {
    assertFalse(ModelRepository.isSafeName(".."));
    assertFalse(ModelRepository.isSafeName("a/../b"));
    assertFalse(ModelRepository.isSafeName("../etc"));
    assertTrue(ModelRepository.isSafeName("iris-v2_final.1"));
    assertThrows(
        ModelLoadException.class, () -> repository(TestModels.bundled()).load("../models"));
  }

  @Test
  void failsToStartOnAnEmptyRepository() {
    assertThrows(ModelLoadException.class, () -> repository(dir).loadAll());
  }
}
