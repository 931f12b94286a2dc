package dev.infergate.modelserver.repository;

import ai.onnxruntime.OrtEnvironment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Why a model file did not load, in words that say what to do: ONNX Runtime's own messages name C++
 * functions and leave the user to guess that the exporter was newer than the server.
 */
final class LoadFailures {
  private static final Pattern IR_VERSION =
      Pattern.compile("Unsupported model IR version: (\\d+), max supported IR version: (\\d+)");
  private static final Pattern OPSET =
      Pattern.compile(
          "Opset (\\d+) is under development.*?Current official support for domain (\\S+) is till opset (\\d+)",
          Pattern.DOTALL);

  /**
   * ONNX Runtime's prefix, {@code Load model from /path/model.onnx failed:}, and its C++ source
   * location.
   */
  private static final Pattern ORT_PREFIX =
      Pattern.compile("^.*?Load model from .*? failed:", Pattern.DOTALL);

  private static final Pattern ORT_SOURCE =
      Pattern.compile("/onnxruntime_src/\\S+:\\d+ \\S+\\(.*?\\) ");

  private LoadFailures() {}

  /** The reason a version failed to load from {@code modelFile}, given the failure's message. */
  static String reason(Path modelFile, String message) {
    try {
      if (Files.isRegularFile(modelFile) && Files.size(modelFile) == 0) {
        return ModelLoader.MODEL_FILE + " is empty (0 bytes); copy the exported model again";
      }
    } catch (IOException e) {
      // unreadable: ONNX Runtime's message below says so
    }
    String text = message == null ? "unknown reason" : message;
    Matcher ir = IR_VERSION.matcher(text);
    if (ir.find()) {
      return "the model's ONNX IR version "
          + ir.group(1)
          + " is newer than this server's ONNX Runtime "
          + runtimeVersion()
          + " supports (IR version "
          + ir.group(2)
          + " at most); export it with an older"
          + " onnx package, or set model.ir_version = "
          + ir.group(2)
          + " if it uses nothing newer";
    }
    Matcher opset = OPSET.matcher(text);
    if (opset.find()) {
      return "the model uses opset "
          + opset.group(1)
          + " of "
          + opset.group(2)
          + ", newer than this server's"
          + " ONNX Runtime "
          + runtimeVersion()
          + " supports (opset "
          + opset.group(3)
          + " at most); export it"
          + " with target_opset="
          + opset.group(3)
          + " or lower";
    }
    if (text.contains("ORT_INVALID_PROTOBUF") || text.contains("Protobuf parsing failed")) {
      return ModelLoader.MODEL_FILE
          + " is not an ONNX model (it does not parse as an ONNX ModelProto)";
    }
    if (text.contains("ModelProto does not have a graph")) {
      return ModelLoader.MODEL_FILE
          + " is not an ONNX model (it holds no graph: truncated, or another format)";
    }
    String cleaned =
        ORT_SOURCE.matcher(ORT_PREFIX.matcher(text).replaceFirst("")).replaceAll("").strip();
    return cleaned.isEmpty() ? text.strip() : cleaned;
  }

  static String runtimeVersion() {
    try {
      return OrtEnvironment.getEnvironment().getVersion();
    } catch (RuntimeException | LinkageError e) {
      return "(version unknown)";
    }
  }
}
