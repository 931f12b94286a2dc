import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * Helper of bench/model-server-types-bench.sh, run as a single-file program with model-server.jar
 * (which ships ONNX Runtime and Tribuo's ONNX protobuf classes) on the class path:
 *
 * <pre>
 *   java -cp model-server/target/model-server.jar bench/tools/TypesBench.java models REPO WORK
 * </pre>
 *
 * {@code models} writes two models with random (seeded) weights into the model repository REPO and
 * the request bodies into WORK:
 * <ul>
 *   <li>{@code image}: input [n,3,224,224] FP32, Conv 3->8 3x3 stride 2, Relu, GlobalAveragePool, Flatten,
 *       Gemm 8->10; about 2.7 M multiply-adds per image, so decoding the 588 KiB input dominates;
 *   <li>{@code mlp}: input [n,1024] FP32, Gemm 1024x1024, Relu, Gemm 1024x1024, Relu, Gemm 1024x10;
 *       about 2.1 M multiply-adds per row, all in ONNX Runtime.
 * </ul>
 * Bodies: {@code image.json} (one image, values printed as Python's json/tritonclient prints a float32
 * widened to a double, e.g. 0.30000001192092896), {@code image.bin} (the same image with the binary
 * tensor data extension; its JSON header length in {@code image.bin.hlen}), {@code mlp1.bin} (one row)
 * and {@code mlp8.bin} (eight rows), binary too.
 *
 * <p>The serving-overhead comparison on {@code mlp} is bench/tools/ServingOverheadBench.java.
 */
public final class TypesBench {
  private static final Random RANDOM = new Random(18);

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "models" -> models(Path.of(args[1]), Path.of(args[2]));
      default -> throw new IllegalArgumentException(args[0]);
    }
  }

  private static void models(Path repo, Path work) throws IOException {
    OnnxMl.GraphProto.Builder image = OnnxMl.GraphProto.newBuilder().setName("image")
        .addInput(value("input", -1, 3, 224, 224)).addOutput(value("output", -1, 10))
        .addInitializer(weights("conv_w", 27, 8, 3, 3, 3)).addInitializer(weights("conv_b", 0, 8))
        .addInitializer(weights("fc_w", 8, 8, 10)).addInitializer(weights("fc_b", 0, 10))
        .addNode(node("Conv", List.of("input", "conv_w", "conv_b"), "conv")
            .addAttribute(ints("kernel_shape", 3, 3)).addAttribute(ints("strides", 2, 2)))
        .addNode(node("Relu", List.of("conv"), "relu"))
        .addNode(node("GlobalAveragePool", List.of("relu"), "pool"))
        .addNode(node("Flatten", List.of("pool"), "flat"))
        .addNode(node("Gemm", List.of("flat", "fc_w", "fc_b"), "output"));
    write(repo, "image", image, 8, 1);

    OnnxMl.GraphProto.Builder mlp = OnnxMl.GraphProto.newBuilder().setName("mlp")
        .addInput(value("input", -1, 1024)).addOutput(value("output", -1, 10))
        .addInitializer(weights("w1", 1024, 1024, 1024)).addInitializer(weights("b1", 0, 1024))
        .addInitializer(weights("w2", 1024, 1024, 1024)).addInitializer(weights("b2", 0, 1024))
        .addInitializer(weights("w3", 1024, 1024, 10)).addInitializer(weights("b3", 0, 10))
        .addNode(node("Gemm", List.of("input", "w1", "b1"), "h1")).addNode(node("Relu", List.of("h1"), "r1"))
        .addNode(node("Gemm", List.of("r1", "w2", "b2"), "h2")).addNode(node("Relu", List.of("h2"), "r2"))
        .addNode(node("Gemm", List.of("r2", "w3", "b3"), "output"));
    write(repo, "mlp", mlp, 64, 2);

    float[] pixels = new float[3 * 224 * 224];
    float[] mean = {0.485f, 0.456f, 0.406f};
    float[] std = {0.229f, 0.224f, 0.225f};
    for (int i = 0; i < pixels.length; i++) {
      int channel = i / (224 * 224);
      pixels[i] = (RANDOM.nextInt(256) / 255f - mean[channel]) / std[channel];
    }
    StringBuilder json = new StringBuilder(pixels.length * 21)
        .append("{\"inputs\":[{\"name\":\"input\",\"shape\":[1,3,224,224],\"datatype\":\"FP32\",\"data\":[");
    for (int i = 0; i < pixels.length; i++) {
      json.append(i == 0 ? "" : ",").append((double) pixels[i]);
    }
    Files.writeString(work.resolve("image.json"), json.append("]}]}"));
    binaryBody(work, "image", "[1,3,224,224]", pixels);

    float[] rows = new float[8 * 1024];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = (float) RANDOM.nextGaussian();
    }
    binaryBody(work, "mlp1", "[1,1024]", java.util.Arrays.copyOf(rows, 1024));
    binaryBody(work, "mlp8", "[8,1024]", rows);
  }

  /** A tritonclient-style body: JSON header, then the tensor's little-endian bytes; outputs in JSON. */
  private static void binaryBody(Path work, String name, String shape, float[] values) throws IOException {
    byte[] header = ("{\"inputs\":[{\"name\":\"input\",\"shape\":" + shape
        + ",\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":" + values.length * 4 + "}}]}")
        .getBytes(StandardCharsets.UTF_8);
    ByteBuffer body = ByteBuffer.allocate(header.length + values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    body.put(header);
    for (float v : values) {
      body.putFloat(v);
    }
    Files.write(work.resolve(name + ".bin"), body.array());
    Files.writeString(work.resolve(name + ".bin.hlen"), Integer.toString(header.length));
  }

  private static void write(Path repo, String name, OnnxMl.GraphProto.Builder graph, int maxBatchSize,
      int instanceCount) throws IOException {
    OnnxMl.ModelProto model = OnnxMl.ModelProto.newBuilder().setIrVersion(8).setProducerName("infergate-bench")
        .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
        .setGraph(graph).build();
    Path dir = Files.createDirectories(repo.resolve(name).resolve("1"));
    Files.write(dir.resolve("model.onnx"), model.toByteArray());
    Files.writeString(repo.resolve(name).resolve("config.yaml"), "maxBatchSize: " + maxBatchSize
        + "\nmaxQueueDelayMicros: 0\nmaxQueueSize: 1024\ninstanceCount: " + instanceCount + "\n");
  }

  private static OnnxMl.NodeProto.Builder node(String op, List<String> inputs, String output) {
    return OnnxMl.NodeProto.newBuilder().setOpType(op).setName(op + "_" + output).addAllInput(inputs)
        .addOutput(output);
  }

  private static OnnxMl.AttributeProto ints(String name, long... values) {
    OnnxMl.AttributeProto.Builder a = OnnxMl.AttributeProto.newBuilder().setName(name)
        .setType(OnnxMl.AttributeProto.AttributeType.INTS);
    for (long v : values) {
      a.addInts(v);
    }
    return a.build();
  }

  /** Random weights, N(0, 2/fanIn) (He); zeros when fanIn is 0 (biases). */
  private static OnnxMl.TensorProto weights(String name, int fanIn, long... dims) {
    long count = 1;
    for (long d : dims) {
      count *= d;
    }
    ByteBuffer raw = ByteBuffer.allocate((int) count * 4).order(ByteOrder.LITTLE_ENDIAN);
    double scale = fanIn == 0 ? 0 : Math.sqrt(2.0 / fanIn);
    for (long i = 0; i < count; i++) {
      raw.putFloat((float) (RANDOM.nextGaussian() * scale));
    }
    OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder().setName(name)
        .setDataType(OnnxMl.TensorProto.DataType.FLOAT.getNumber()).setRawData(ByteString.copyFrom(raw.array()));
    for (long d : dims) {
      t.addDims(d);
    }
    return t.build();
  }

  /** A FLOAT value of these dims; -1 is the symbolic batch dimension. */
  private static OnnxMl.ValueInfoProto value(String name, long... dims) {
    OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
    for (long d : dims) {
      shape.addDim(d < 0 ? OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("batch")
          : OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
    }
    return OnnxMl.ValueInfoProto.newBuilder().setName(name).setType(OnnxMl.TypeProto.newBuilder()
        .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder()
            .setElemType(OnnxMl.TensorProto.DataType.FLOAT.getNumber()).setShape(shape))).build();
  }
}
