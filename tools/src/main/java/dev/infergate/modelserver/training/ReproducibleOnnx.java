package dev.infergate.modelserver.training;

import ai.onnx.proto.OnnxMl;
import java.util.Locale;
import org.tribuo.ONNXExportable;

/**
 * Exports a trained version to ONNX bytes that depend only on the data, the recipe and the library
 * versions.
 *
 * <p>Tribuo writes the model's provenance into the metadata ({@code TRIBUO_PROVENANCE}) and its
 * {@code toString()} into the doc string; both carry the training time, host name, JVM and paths,
 * so two runs would never give the same file. They are replaced with fixed, useful text; the graph
 * is untouched.
 */
final class ReproducibleOnnx {

  static final String DOMAIN = "dev.infergate.models.iris";

  private ReproducibleOnnx() {}

  static byte[] export(TrainedVersion trained) {
    OnnxMl.ModelProto tribuo =
        ((ONNXExportable) trained.model()).exportONNXModel(DOMAIN, trained.version());
    return tribuo.toBuilder()
        .setDocString(trained.recipe().description())
        .clearMetadataProps()
        .addMetadataProps(entry("infergate.features", String.join(",", IrisFeatures.NATURAL_ORDER)))
        .addMetadataProps(entry("infergate.labels", String.join(",", trained.labels())))
        .addMetadataProps(
            entry(
                "infergate.heldOutAccuracy",
                String.format(Locale.ROOT, "%.4f", trained.accuracy())))
        .addMetadataProps(entry("infergate.trainedBy", TrainIris.class.getName()))
        .build()
        .toByteArray();
  }

  private static OnnxMl.StringStringEntryProto entry(String key, String value) {
    return OnnxMl.StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
  }
}
