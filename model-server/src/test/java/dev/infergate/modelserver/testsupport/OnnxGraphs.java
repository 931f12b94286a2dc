package dev.infergate.modelserver.testsupport;

import ai.onnx.proto.OnnxMl;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Small ONNX graphs built in tests (Tribuo ships the ONNX protobuf classes) for the element types
 * no exported model of the test data has: Identity and Cast graphs whose answers are known exactly.
 */
public final class OnnxGraphs {
  private final OnnxMl.GraphProto.Builder graph = OnnxMl.GraphProto.newBuilder().setName("test");

  private OnnxGraphs() {}

  public static OnnxGraphs graph() {
    return new OnnxGraphs();
  }

  /** An input of {@code type} (an ONNX element type) and shape [batch, columns]. */
  public OnnxGraphs input(String name, OnnxMl.TensorProto.DataType type, int columns) {
    graph.addInput(value(name, type, columns));
    return this;
  }

  public OnnxGraphs output(String name, OnnxMl.TensorProto.DataType type, int columns) {
    graph.addOutput(value(name, type, columns));
    return this;
  }

  /** A one-dimensional [batch] input. */
  public OnnxGraphs vectorInput(String name, OnnxMl.TensorProto.DataType type) {
    graph.addInput(vector(name, type));
    return this;
  }

  public OnnxGraphs vectorOutput(String name, OnnxMl.TensorProto.DataType type) {
    graph.addOutput(vector(name, type));
    return this;
  }

  /**
   * A ZipMap node ({@code ai.onnx.ml}) from {@code from} to a {@code seq(map(string, float))}
   * output {@code to} with these class labels.
   */
  public OnnxGraphs zipMap(String from, String to, String... classes) {
    OnnxMl.AttributeProto.Builder labels =
        OnnxMl.AttributeProto.newBuilder()
            .setName("classlabels_strings")
            .setType(OnnxMl.AttributeProto.AttributeType.STRINGS);
    for (String label : classes) {
      labels.addStrings(com.google.protobuf.ByteString.copyFromUtf8(label));
    }
    graph.addNode(
        OnnxMl.NodeProto.newBuilder()
            .setOpType("ZipMap")
            .setDomain("ai.onnx.ml")
            .addInput(from)
            .addOutput(to)
            .setName("zipmap_" + to)
            .addAttribute(labels));
    OnnxMl.TypeProto floats =
        OnnxMl.TypeProto.newBuilder()
            .setTensorType(
                OnnxMl.TypeProto.Tensor.newBuilder()
                    .setElemType(OnnxMl.TensorProto.DataType.FLOAT.getNumber()))
            .build();
    graph.addOutput(
        OnnxMl.ValueInfoProto.newBuilder()
            .setName(to)
            .setType(
                OnnxMl.TypeProto.newBuilder()
                    .setSequenceType(
                        OnnxMl.TypeProto.Sequence.newBuilder()
                            .setElemType(
                                OnnxMl.TypeProto.newBuilder()
                                    .setMapType(
                                        OnnxMl.TypeProto.Map.newBuilder()
                                            .setKeyType(
                                                OnnxMl.TensorProto.DataType.STRING.getNumber())
                                            .setValueType(floats))))));
    return this;
  }

  public OnnxGraphs identity(String from, String to) {
    graph.addNode(
        OnnxMl.NodeProto.newBuilder()
            .setOpType("Identity")
            .addInput(from)
            .addOutput(to)
            .setName("identity_" + to));
    return this;
  }

  public OnnxGraphs cast(String from, String to, OnnxMl.TensorProto.DataType type) {
    graph.addNode(
        OnnxMl.NodeProto.newBuilder()
            .setOpType("Cast")
            .addInput(from)
            .addOutput(to)
            .setName("cast_" + to)
            .addAttribute(
                OnnxMl.AttributeProto.newBuilder()
                    .setName("to")
                    .setType(OnnxMl.AttributeProto.AttributeType.INT)
                    .setI(type.getNumber())));
    return this;
  }

  /**
   * Writes {@code <repository>/<name>/1/model.onnx} (IR 8, opset 13) and returns the repository.
   */
  public Path writeTo(Path repository, String name) {
    OnnxMl.ModelProto model =
        OnnxMl.ModelProto.newBuilder()
            .setIrVersion(8)
            .setProducerName("infergate-test")
            .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
            .addOpsetImport(
                OnnxMl.OperatorSetIdProto.newBuilder().setDomain("ai.onnx.ml").setVersion(1))
            .setGraph(graph)
            .build();
    try {
      Path dir = Files.createDirectories(repository.resolve(name).resolve("1"));
      Files.write(dir.resolve("model.onnx"), model.toByteArray());
      return repository;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static OnnxMl.ValueInfoProto vector(String name, OnnxMl.TensorProto.DataType type) {
    OnnxMl.TensorShapeProto shape =
        OnnxMl.TensorShapeProto.newBuilder()
            .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("batch"))
            .build();
    return OnnxMl.ValueInfoProto.newBuilder()
        .setName(name)
        .setType(
            OnnxMl.TypeProto.newBuilder()
                .setTensorType(
                    OnnxMl.TypeProto.Tensor.newBuilder()
                        .setElemType(type.getNumber())
                        .setShape(shape)))
        .build();
  }

  private static OnnxMl.ValueInfoProto value(
      String name, OnnxMl.TensorProto.DataType type, int columns) {
    OnnxMl.TensorShapeProto shape =
        OnnxMl.TensorShapeProto.newBuilder()
            .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("batch"))
            .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(columns))
            .build();
    return OnnxMl.ValueInfoProto.newBuilder()
        .setName(name)
        .setType(
            OnnxMl.TypeProto.newBuilder()
                .setTensorType(
                    OnnxMl.TypeProto.Tensor.newBuilder()
                        .setElemType(type.getNumber())
                        .setShape(shape)))
        .build();
  }
}
