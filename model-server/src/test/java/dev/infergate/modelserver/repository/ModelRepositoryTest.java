package dev.infergate.modelserver.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.modelserver.batching.BatchPolicy;
import dev.infergate.modelserver.batching.ScheduledBatchTimer;
import dev.infergate.modelserver.runtime.DeviceSpec;
import dev.infergate.modelserver.runtime.ModelLoadException;
import dev.infergate.modelserver.runtime.SessionFactory;
import dev.infergate.modelserver.testsupport.TestModels;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelRepositoryTest {
  private final ExecutorService workers = Executors.newFixedThreadPool(2);
  private final ScheduledBatchTimer timer = new ScheduledBatchTimer();

  @TempDir
  Path dir;

  private ModelRepository repository(Path root) {
    return new ModelRepository(root, BatchPolicy.DEFAULT, new SessionFactory(DeviceSpec.CPU, 1),
        new SimpleMeterRegistry(), workers, timer);
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
    ModelLoadException error = assertThrows(ModelLoadException.class, () -> repository(models).loadAll());
    assertTrue(error.getMessage().contains("2 labels"), error.getMessage());
  }

  @Test
  void refusesAnUnknownConfigFieldNamingIt() {
    Path models = TestModels.copyWithConfig(dir, "maxBatchSise: 8");
    ModelLoadException error = assertThrows(ModelLoadException.class, () -> repository(models).loadAll());
    assertTrue(error.getMessage().contains("maxBatchSise"), error.getMessage());
  }

  @Test
  void unloadsAndListsTheModelAsUnavailable() throws Exception {
    ModelRepository repository = repository(TestModels.bundled());
    repository.loadAll();
    assertTrue(repository.unload("iris"));
    assertFalse(repository.model("iris").isPresent());
    assertEquals("UNAVAILABLE", repository.index().get(0).state());
    assertFalse(repository.unload("iris"));
    repository.load("iris");
    assertEquals("READY", repository.index().get(0).state());
  }

  @Test
  void refusesNamesThatCouldLeaveTheRepository() {
    assertFalse(ModelRepository.isSafeName(".."));
    assertFalse(ModelRepository.isSafeName("a/../b"));
    assertFalse(ModelRepository.isSafeName("../etc"));
    assertTrue(ModelRepository.isSafeName("iris-v2_final.1"));
    assertThrows(ModelLoadException.class, () -> repository(TestModels.bundled()).load("../models"));
  }

  @Test
  void failsToStartOnAnEmptyRepository() {
    assertThrows(ModelLoadException.class, () -> repository(dir).loadAll());
  }
}
