package dev.infergate.modelserver.training;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;

/** Runs the tool in-process and reads back what it wrote. */
final class TrainingTestSupport {

  /** The bundled data set; surefire runs tests in the module directory. */
  static final Path IRIS_CSV = Path.of("data", "iris.csv");

  private TrainingTestSupport() {}

  /** Exit status and everything printed by one {@link TrainIris#run} call. */
  record ToolRun(int status, String out, String err) {}

  static ToolRun runTool(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status =
        TrainIris.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new ToolRun(
        status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /**
   * Trains into {@code repository} from the bundled data and fails the test if the tool does not
   * succeed.
   */
  static void trainInto(Path repository) {
    ToolRun run = runTool("--data", IRIS_CSV.toString(), "--out", repository.toString());
    if (run.status() != TrainIris.EXIT_OK) {
      throw new AssertionError("TrainIris exited " + run.status() + ": " + run.err());
    }
  }

  static Map<String, Object> readConfig(Path repository) throws IOException {
    return new Yaml().load(Files.readString(repository.resolve("iris").resolve("config.yaml")));
  }

  @SuppressWarnings("unchecked")
  static List<String> configLabels(Path repository) throws IOException {
    return (List<String>) readConfig(repository).get("labels");
  }

  static Path modelFile(Path repository, int version) {
    return repository.resolve("iris").resolve(Integer.toString(version)).resolve("model.onnx");
  }

  static OrtSession openSession(Path model) throws OrtException {
    return OrtEnvironment.getEnvironment()
        .createSession(model.toString(), new OrtSession.SessionOptions());
  }

  /**
   * Runs rows of four features in natural order through the model's single input; one probability
   * row each.
   */
  static float[][] predict(OrtSession session, float[][] rows) throws OrtException {
    int width = rows[0].length;
    FloatBuffer input =
        ByteBuffer.allocateDirect(rows.length * width * Float.BYTES)
            .order(ByteOrder.nativeOrder())
            .asFloatBuffer();
    for (float[] row : rows) {
      input.put(row);
    }
    input.rewind();
    String inputName = session.getInputNames().iterator().next();
    try (OnnxTensor tensor =
            OnnxTensor.createTensor(
                OrtEnvironment.getEnvironment(), input, new long[] {rows.length, width});
        OrtSession.Result result = session.run(Map.of(inputName, tensor))) {
      return (float[][]) result.get(0).getValue();
    }
  }
}
