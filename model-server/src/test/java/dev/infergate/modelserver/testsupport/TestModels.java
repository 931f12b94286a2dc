package dev.infergate.modelserver.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
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

  /** A copy of the bundled repository under {@code dir}, with {@code extraConfig} appended to iris's config. */
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
