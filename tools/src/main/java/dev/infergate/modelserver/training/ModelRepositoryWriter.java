package dev.infergate.modelserver.training;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes one model into a Triton-style repository: {@code <root>/<model>/config.yaml} and {@code
 * <root>/<model>/<version>/model.onnx}.
 */
final class ModelRepositoryWriter {

  private ModelRepositoryWriter() {}

  /**
   * @return the files written, config first, then the versions in order
   */
  static List<Path> write(
      Path root, String modelName, List<TrainedVersion> versions, List<String> labels)
      throws IOException {
    Path modelDir = root.resolve(modelName);
    List<Path> written = new ArrayList<>();
    written.add(
        replace(
            modelDir.resolve("config.yaml"),
            ModelConfigYaml.render(labels).getBytes(StandardCharsets.UTF_8)));
    for (TrainedVersion trained : versions) {
      written.add(
          replace(
              modelDir.resolve(Integer.toString(trained.version())).resolve("model.onnx"),
              ReproducibleOnnx.export(trained)));
    }
    return written;
  }

  // A model server may be watching the repository: it must see the old file or the new one, never
  // half of one.
  private static Path replace(Path target, byte[] content) throws IOException {
    Files.createDirectories(target.getParent());
    // Not Files.createTempFile: that makes the file owner-only (0600), and a server running as
    // another user
    // could not read the model.
    Path temp = target.resolveSibling("." + target.getFileName() + ".tmp");
    try {
      Files.write(temp, content);
      Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temp);
    }
    return target;
  }
}
