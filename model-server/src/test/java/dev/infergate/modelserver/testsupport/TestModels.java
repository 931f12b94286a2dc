package dev.infergate.modelserver.testsupport;

import ai.onnx.proto.OnnxMl;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** The bundled Iris models (config/models), and copies of them with a test's own config.yaml. */
public final class TestModels {
  /** Rows of each class in the natural feature order, and their labels. */
  public static final float[] SETOSA = {5.1f, 3.5f, 1.4f, 0.2f};

  public static final float[] VERSICOLOR = {6.4f, 3.2f, 4.5f, 1.5f};
  public static final float[] VIRGINICA = {6.3f, 3.3f, 6.0f, 2.5f};

  private TestModels() {}

  /** {@code config/models} of the repository; Surefire runs in the module directory. */
  public static Path bundled() {
    Path fromModule = Path.of("..", "config", "models");
    Path fromRoot = Path.of("config", "models");
    Path found = Files.isDirectory(fromModule) ? fromModule : fromRoot;
    if (!Files.isRegularFile(found.resolve("iris/1/model.onnx"))) {
      throw new IllegalStateException("bundled models not found at " + found.toAbsolutePath());
    }
    return found;
  }

  /**
   * A repository under {@code dir} where the bundled iris serves next to models that cannot: {@code
   * garbage} (a text file named model.onnx), {@code empty} (0 bytes), {@code future_ir} (iris with
   * an ONNX IR version far newer than any ONNX Runtime), {@code future_opset} (iris stamped with an
   * unreleased ai.onnx opset) and {@code no_file} (a version directory without model.onnx).
   */
  public static Path brokenNextToGood(Path dir) {
    try {
      copyWithConfig(dir, "");
      byte[] iris = Files.readAllBytes(bundled().resolve("iris/1/model.onnx"));
      OnnxMl.ModelProto model = OnnxMl.ModelProto.parseFrom(iris);
      write(
          dir.resolve("garbage/1/model.onnx"),
          "this is not an ONNX model\n".getBytes(StandardCharsets.UTF_8));
      write(dir.resolve("empty/1/model.onnx"), new byte[0]);
      write(
          dir.resolve("future_ir/1/model.onnx"),
          model.toBuilder().setIrVersion(FUTURE_IR_VERSION).build().toByteArray());
      OnnxMl.ModelProto.Builder opset = model.toBuilder().clearOpsetImport();
      for (OnnxMl.OperatorSetIdProto id : model.getOpsetImportList()) {
        opset.addOpsetImport(
            id.getDomain().isEmpty() ? id.toBuilder().setVersion(FUTURE_OPSET).build() : id);
      }
      write(dir.resolve("future_opset/1/model.onnx"), opset.build().toByteArray());
      Files.createDirectories(dir.resolve("no_file/1"));
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * IR and opset versions no ONNX Runtime release supports (1.29 reads IR up to 13 and ai.onnx up
   * to 26).
   */
  public static final int FUTURE_IR_VERSION = 1000;

  public static final int FUTURE_OPSET = 1000;

  private static void write(Path file, byte[] bytes) throws IOException {
    Files.createDirectories(file.getParent());
    Files.write(file, bytes);
  }

  /**
   * A copy of the bundled repository under {@code dir}, with {@code extraConfig} appended to iris's
   * config.
   */
  public static Path copyWithConfig(Path dir, String extraConfig) {
    Path source = bundled();
    try (Stream<Path> files = Files.walk(source)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Path target = dir.resolve(source.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(target);
        } else {
          Files.copy(file, target);
        }
      }
      Path config = dir.resolve("iris/config.yaml");
      String original = Files.readString(config);
      StringBuilder merged = new StringBuilder();
      for (String line : original.split("\n")) {
        String key = line.contains(":") ? line.substring(0, line.indexOf(':')).trim() : "";
        if (!key.isEmpty() && extraConfig.contains(key + ":")) {
          continue;
        }
        merged.append(line).append('\n');
      }
      Files.writeString(config, merged + extraConfig + "\n");
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
