import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Helper of bench/model-server-types-bench.sh, run as a single-file program with model-server.jar
 * (which ships ONNX Runtime and Tribuo's ONNX protobuf classes) on the class path:
 *
 * <pre>
 *   java -cp model-server/target/model-server.jar bench/tools/TypesBench.java models REPO WORK
 *   java -cp model-server/target/model-server.jar bench/tools/TypesBench.java ort MODEL.onnx COLUMNS THREADS WARMUP_S SECONDS HISTOGRAM STEP MEAN [upper]
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
 * <p>{@code ort} runs ONNX Runtime alone on MODEL with the model server's session options (all graph
 * optimisations, 1 intra-op thread: ModelServerConfig.DEFAULT_INTRA_OP_THREADS), THREADS threads
 * each running batches back to back (the server's instanceCount), batch sizes drawn from HISTOGRAM
 * ("lo-hi:count,...", the server's infergate_model_batch_size buckets, whose exact sizes the server
 * does not publish): a batch of a bucket gets a size that is a multiple of STEP (the rows per request)
 * in lo+1..hi, either the bucket's largest or one drawn uniformly, mixed so that the mean batch size
 * is the server's MEAN (its infergate_model_batch_size sum/count). With a last argument "upper"
 * every batch gets its bucket's largest size instead: ONNX Runtime's rows/s grow with the batch
 * size, so that is its best case. Prints rows/s and the CPU time per row of its threads.
 */
public final class TypesBench {
  private static final Random RANDOM = new Random(18);

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "models" -> models(Path.of(args[1]), Path.of(args[2]));
      case "ort" -> ort(Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]),
          Double.parseDouble(args[4]), Double.parseDouble(args[5]), args[6], Integer.parseInt(args[7]),
          Double.parseDouble(args[8]), args.length > 9 && args[9].equals("upper"));
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

  private static void ort(Path modelFile, int columns, int threads, double warmup, double seconds, String histogram,
      int step, double serverMean, boolean upper) throws Exception {
    List<int[]> buckets = new ArrayList<>(); // lo, hi, count
    long batches = 0;
    for (String part : histogram.split(",")) {
      String[] range = part.split("[-:]");
      int[] b = {Integer.parseInt(range[0]), Integer.parseInt(range[1]), (int) Long.parseLong(range[2])};
      if (b[2] > 0) {
        buckets.add(b);
        batches += b[2];
      }
    }
    final long total = batches;
    // Sizes a batch of each bucket can have (multiples of the rows per request), and the mixture weight
    // of "the bucket's largest size" against "any size of the bucket" that gives the server's mean.
    List<int[]> sizes = new ArrayList<>();
    double uniformMean = 0;
    double upperMean = 0;
    for (int[] b : buckets) {
      int[] s = java.util.stream.IntStream.rangeClosed(b[0] + 1, b[1]).filter(v -> v % step == 0).toArray();
      if (s.length == 0) {
        s = new int[] {b[1]};
      }
      sizes.add(s);
      uniformMean += (double) b[2] / total * java.util.Arrays.stream(s).average().orElse(0);
      upperMean += (double) b[2] / total * s[s.length - 1];
    }
    double largestShare = upper ? 1 : upperMean - uniformMean < 1e-9 ? 0
        : Math.max(0, Math.min(1, (serverMean - uniformMean) / (upperMean - uniformMean)));
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
    options.setIntraOpNumThreads(1);
    OrtSession session = env.createSession(modelFile.toString(), options);
    String input = session.getInputNames().iterator().next();
    int maxRows = buckets.stream().mapToInt(b -> b[1]).max().orElse(1);
    float[] data = new float[maxRows * columns];
    Random r = new Random(7);
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) r.nextGaussian();
    }
    AtomicLong rows = new AtomicLong();
    AtomicLong runs = new AtomicLong();
    long[] window = new long[2];
    List<Thread> workers = new ArrayList<>();
    long start = System.nanoTime();
    long measureFrom = start + (long) (warmup * 1e9);
    long end = measureFrom + (long) (seconds * 1e9);
    for (int t = 0; t < threads; t++) {
      Random pick = new Random(100 + t);
      Thread worker = new Thread(() -> {
        try {
          while (true) {
            long now = System.nanoTime();
            if (now >= end) {
              return;
            }
            long k = (long) (pick.nextDouble() * total);
            int size = 1;
            for (int i = 0; i < buckets.size(); i++) {
              int[] b = buckets.get(i);
              if (k < b[2]) {
                int[] s = sizes.get(i);
                size = pick.nextDouble() < largestShare ? s[s.length - 1] : s[pick.nextInt(s.length)];
                break;
              }
              k -= b[2];
            }
            try (OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(data, 0, size * columns),
                new long[] {size, columns});
                OrtSession.Result result = session.run(Map.of(input, tensor))) {
              result.get(0).getValue();
            }
            if (now >= measureFrom) {
              rows.addAndGet(size);
              runs.incrementAndGet();
            }
          }
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      worker.start();
      workers.add(worker);
    }
    java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
    while (System.nanoTime() < measureFrom) {
      Thread.sleep(10);
    }
    long cpu0 = 0;
    for (Thread w : workers) {
      cpu0 += mx.getThreadCpuTime(w.getId());
    }
    long cpu1 = 0;
    while (System.nanoTime() < end - 50_000_000L) {
      Thread.sleep(10);
    }
    for (Thread w : workers) {
      cpu1 += mx.getThreadCpuTime(w.getId());
    }
    for (Thread w : workers) {
      w.join();
    }
    double elapsed = (System.nanoTime() - measureFrom) / 1e9;
    double cpuPerRow = (cpu1 - cpu0) / 1e3 / (rows.get() * (elapsed - 0.05) / elapsed);
    System.out.printf("ORT_RESULT rows_per_s=%.1f cpu_us_per_row=%.1f batches=%d mean_batch=%.2f seconds=%.2f threads=%d%n",
        rows.get() / elapsed, cpuPerRow, runs.get(), runs.get() == 0 ? 0 : (double) rows.get() / runs.get(), elapsed,
        threads);
  }
}
