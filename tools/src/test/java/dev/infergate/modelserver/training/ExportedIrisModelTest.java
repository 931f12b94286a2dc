package dev.infergate.modelserver.training;

import static dev.infergate.modelserver.training.TrainingTestSupport.IRIS_CSV;
import static dev.infergate.modelserver.training.TrainingTestSupport.configLabels;
import static dev.infergate.modelserver.training.TrainingTestSupport.modelFile;
import static dev.infergate.modelserver.training.TrainingTestSupport.openSession;
import static dev.infergate.modelserver.training.TrainingTestSupport.predict;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tribuo.Example;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;

/**
 * Runs the exported files the way the model server will: ONNX Runtime, natural feature order,
 * config.yaml labels.
 */
class ExportedIrisModelTest {

  @TempDir static Path repository;

  private static IrisTraining.Result trained;

  @BeforeAll
  static void train() throws Exception {
    trained =
        IrisTraining.run(
            new TrainingOptions(IRIS_CSV, repository, TrainingOptions.DEFAULT_MIN_ACCURACY));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2})
  void takesOneFloatBatchOfFourColumnsAndReturnsOneColumnPerLabel(int version) throws Exception {
    try (OrtSession session = openSession(modelFile(repository, version))) {
      TensorInfo input = single(session.getInputInfo());
      TensorInfo output = single(session.getOutputInfo());

      assertEquals(OnnxJavaType.FLOAT, input.type);
      assertArrayEquals(new long[] {-1, 4}, input.getShape());
      assertEquals(OnnxJavaType.FLOAT, output.type);
      assertArrayEquals(new long[] {-1, configLabels(repository).size()}, output.getShape());
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2})
  void predictsTheKnownSpeciesFromFeaturesInNaturalOrder(int version) throws Exception {
    float[][] rows = {
      {5.1f, 3.5f, 1.4f, 0.2f},
      {6.4f, 3.2f, 4.5f, 1.5f},
      {6.3f, 3.3f, 6.0f, 2.5f},
    };
    List<String> labels = configLabels(repository);

    float[][] probabilities;
    try (OrtSession session = openSession(modelFile(repository, version))) {
      probabilities = predict(session, rows);
    }

    assertEquals("setosa", labels.get(argmax(probabilities[0])));
    assertEquals("versicolor", labels.get(argmax(probabilities[1])));
    assertEquals("virginica", labels.get(argmax(probabilities[2])));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2})
  void outputsProbabilitiesThatSumToOne(int version) throws Exception {
    float[][] probabilities;
    try (OrtSession session = openSession(modelFile(repository, version))) {
      probabilities = predict(session, naturalOrderRows());
    }

    for (float[] row : probabilities) {
      float sum = 0;
      for (float p : row) {
        assertTrue(p >= 0 && p <= 1, "probability out of range: " + p);
        sum += p;
      }
      assertEquals(1.0f, sum, 1e-5f);
    }
  }

  @Test
  void exportedModelsAgreeWithTribuoOnEveryRow() throws Exception {
    float[][] rows = naturalOrderRows();
    List<Example<Label>> examples = IrisCsv.read(IRIS_CSV);
    List<String> labels = configLabels(repository);

    for (TrainedVersion version : trained.versions()) {
      float[][] probabilities;
      try (OrtSession session = openSession(modelFile(repository, version.version()))) {
        probabilities = predict(session, rows);
      }
      for (int i = 0; i < rows.length; i++) {
        Prediction<Label> expected = version.model().predict(examples.get(i));
        for (int column = 0; column < labels.size(); column++) {
          double tribuoScore = expected.getOutputScores().get(labels.get(column)).getScore();
          assertEquals(
              tribuoScore,
              probabilities[i][column],
              1e-4,
              "version " + version.version() + " row " + (i + 1) + " column " + column);
        }
      }
    }
  }

  @Test
  void configLabelsAreTheModelsOutputColumns() throws IOException {
    assertEquals(trained.labels(), configLabels(repository));
    for (TrainedVersion version : trained.versions()) {
      assertEquals(trained.labels(), version.labels());
    }
  }

  /** The CSV's feature columns as the test reads them, independent of the tool's feature naming. */
  private static float[][] naturalOrderRows() throws IOException {
    return Files.readAllLines(IRIS_CSV, StandardCharsets.UTF_8).stream()
        .skip(1)
        .map(String::strip)
        .filter(line -> !line.isEmpty())
        .map(
            line -> {
              String[] cells = line.split(",");
              float[] row = new float[4];
              for (int i = 0; i < 4; i++) {
                row[i] = Float.parseFloat(cells[i]);
              }
              return row;
            })
        .toArray(float[][]::new);
  }

  private static TensorInfo single(Map<String, NodeInfo> nodes) {
    assertEquals(1, nodes.size(), nodes.toString());
    return (TensorInfo) nodes.values().iterator().next().getInfo();
  }

  private static int argmax(float[] values) {
    int best = 0;
    for (int i = 1; i < values.length; i++) {
      if (values[i] > values[best]) {
        best = i;
      }
    }
    return best;
  }
}
