package dev.infergate.modelserver.training;

import static dev.infergate.modelserver.training.TrainingTestSupport.IRIS_CSV;
import static dev.infergate.modelserver.training.TrainingTestSupport.ToolRun;
import static dev.infergate.modelserver.training.TrainingTestSupport.modelFile;
import static dev.infergate.modelserver.training.TrainingTestSupport.readConfig;
import static dev.infergate.modelserver.training.TrainingTestSupport.runTool;
import static dev.infergate.modelserver.training.TrainingTestSupport.trainInto;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainIrisTest {

  @TempDir Path temp;

  @Test
  void writesBothVersionsAndTheModelConfig() throws IOException {
    Path repository = temp.resolve("models");
    ToolRun run = runTool("--data", IRIS_CSV.toString(), "--out", repository.toString());

    assertEquals(TrainIris.EXIT_OK, run.status(), run.err());
    assertTrue(Files.size(modelFile(repository, 1)) > 0);
    assertTrue(Files.size(modelFile(repository, 2)) > 0);
    Map<String, Object> config = readConfig(repository);
    assertEquals(64, config.get("maxBatchSize"));
    assertEquals(0, config.get("maxQueueDelayMicros"));
    assertEquals(1024, config.get("maxQueueSize"));
    assertEquals(1, config.get("instanceCount"));
    assertEquals(
        List.of("sepal_length", "sepal_width", "petal_length", "petal_width"),
        config.get("features"));
    @SuppressWarnings("unchecked")
    List<String> labels = (List<String>) config.get("labels");
    assertEquals(List.of("setosa", "versicolor", "virginica"), labels.stream().sorted().toList());
    assertTrue(run.out().contains("iris version 1: held-out accuracy"), run.out());
    assertTrue(run.out().contains("iris version 2: held-out accuracy"), run.out());
  }

  @Test
  void writesIdenticalBytesOnEveryRun() throws IOException {
    Path first = temp.resolve("first");
    Path second = temp.resolve("second");
    trainInto(first);
    trainInto(second);

    for (Path relative :
        List.of(
            Path.of("iris", "config.yaml"),
            Path.of("iris", "1", "model.onnx"),
            Path.of("iris", "2", "model.onnx"))) {
      assertArrayEquals(
          Files.readAllBytes(first.resolve(relative)),
          Files.readAllBytes(second.resolve(relative)),
          relative + " differs between runs");
    }
    assertEquals(listFiles(first), listFiles(second));
  }

  /**
   * The tool moved out of the model server's jar (tools module): what it writes is still what the
   * repo bundles.
   */
  @Test
  void writesExactlyTheBundledModels() throws IOException {
    Path written = temp.resolve("models");
    trainInto(written);

    Path bundled = Path.of("..", "config", "models");
    for (Path relative :
        List.of(
            Path.of("iris", "config.yaml"),
            Path.of("iris", "1", "model.onnx"),
            Path.of("iris", "2", "model.onnx"))) {
      assertArrayEquals(
          Files.readAllBytes(bundled.resolve(relative)),
          Files.readAllBytes(written.resolve(relative)),
          relative + " differs from config/models/" + relative);
    }
  }

  @Test
  void replacesTribuoProvenanceWithFixedMetadata() throws IOException {
    trainInto(temp);

    for (int version : new int[] {1, 2}) {
      OnnxMl.ModelProto model =
          OnnxMl.ModelProto.parseFrom(Files.readAllBytes(modelFile(temp, version)));
      assertEquals(version, model.getModelVersion());
      assertEquals("Tribuo", model.getProducerName());
      assertTrue(model.getDocString().startsWith("Iris v" + version + ":"), model.getDocString());
      List<String> keys =
          model.getMetadataPropsList().stream().map(OnnxMl.StringStringEntryProto::getKey).toList();
      assertFalse(keys.contains("TRIBUO_PROVENANCE"), keys.toString());
      assertTrue(keys.contains("infergate.labels"), keys.toString());
    }
  }

  @Test
  void refusesToExportModelsTrainedOnShuffledLabels() throws IOException {
    Path data = shuffledLabelCopy(temp.resolve("shuffled.csv"));
    Path repository = temp.resolve("models");

    ToolRun run = runTool("--data", data.toString(), "--out", repository.toString());

    assertEquals(TrainIris.EXIT_REFUSED, run.status());
    assertTrue(run.err().contains("refusing to export iris"), run.err());
    assertTrue(
        run.err()
            .matches(
                "(?s).*version 1 has held-out accuracy 0\\.\\d{4}, below the minimum 0\\.9000.*"),
        run.err());
    assertFalse(Files.exists(repository), "nothing may be written when export is refused");
  }

  @Test
  void refusesToExportBelowARequestedMinimumAccuracyAndLeavesExistingFilesAlone()
      throws IOException {
    trainInto(temp);
    byte[] before = Files.readAllBytes(modelFile(temp, 1));

    ToolRun run =
        runTool("--data", IRIS_CSV.toString(), "--out", temp.toString(), "--min-accuracy", "1.01");

    assertEquals(TrainIris.EXIT_REFUSED, run.status());
    assertTrue(run.err().contains("version 1 has held-out accuracy"), run.err());
    assertTrue(run.err().contains("version 2 has held-out accuracy"), run.err());
    assertTrue(run.err().contains("below the minimum 1.0100"), run.err());
    assertArrayEquals(before, Files.readAllBytes(modelFile(temp, 1)));
  }

  @Test
  void rejectsAnUnknownOptionWithUsage() {
    ToolRun run = runTool("--epochs", "3");

    assertEquals(TrainIris.EXIT_USAGE, run.status());
    assertTrue(run.err().contains("unknown option --epochs"), run.err());
    assertTrue(run.err().contains("usage:"), run.err());
  }

  @Test
  void rejectsAMissingDataFile() {
    ToolRun run =
        runTool("--data", temp.resolve("absent.csv").toString(), "--out", temp.toString());

    assertEquals(TrainIris.EXIT_USAGE, run.status());
    assertTrue(run.err().contains("no such file"), run.err());
  }

  @Test
  void namesTheLineOfAMalformedRow() throws IOException {
    Path data = temp.resolve("bad.csv");
    Files.writeString(
        data,
        "sepal_length,sepal_width,petal_length,petal_width,species\n"
            + "5.1,3.5,1.4,0.2,setosa\n"
            + "4.9,three,1.4,0.2,setosa\n");

    ToolRun run = runTool("--data", data.toString(), "--out", temp.resolve("models").toString());

    assertEquals(TrainIris.EXIT_USAGE, run.status());
    assertTrue(run.err().contains("line 3: sepal_width is not a number: three"), run.err());
  }

  /**
   * The real rows with their labels permuted: same classes and sizes, but nothing left to learn.
   */
  private static Path shuffledLabelCopy(Path target) throws IOException {
    List<String> lines =
        Files.readAllLines(IRIS_CSV, StandardCharsets.UTF_8).stream()
            .map(String::strip)
            .filter(line -> !line.isEmpty())
            .toList();
    List<String> labels = new ArrayList<>();
    for (String row : lines.subList(1, lines.size())) {
      labels.add(row.substring(row.lastIndexOf(',') + 1));
    }
    Collections.shuffle(labels, new Random(7));
    List<String> out = new ArrayList<>();
    out.add(lines.get(0));
    for (int i = 1; i < lines.size(); i++) {
      String row = lines.get(i);
      out.add(row.substring(0, row.lastIndexOf(',') + 1) + labels.get(i - 1));
    }
    return Files.write(target, out, StandardCharsets.UTF_8);
  }

  private static List<Path> listFiles(Path root) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(Files::isRegularFile).map(root::relativize).sorted().toList();
    }
  }
}
