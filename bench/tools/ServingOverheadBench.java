import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.infergate.modelserver.ModelServer;
import dev.infergate.modelserver.ModelServerMain;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The serving-overhead benchmark of issue 18, in one JVM: "served rows/s at c=64 against the rows/s of
 * ONNX Runtime alone running the same batch sizes in the same JVM, same run". Run by
 * bench/model-server-types-bench.sh as a single-file program with model-server.jar on the class path:
 *
 * <pre>
 *   java -cp model-server/target/model-server.jar bench/tools/ServingOverheadBench.java \
 *       REPO WORK MODEL INSTANCES "ROWS..." RUNS SECONDS WARMUP WRK_CPU PORT ADMIN_PORT
 * </pre>
 *
 * It starts the model server in this JVM (as {@code java -jar model-server.jar --models REPO --device cpu}
 * would), then for each request size k of ROWS (rows per request; bodies {@code WORK/mlp<k>.bin} and their
 * header lengths {@code .hlen}, written by TypesBench) runs, RUNS times, interleaved:
 * <ol>
 *   <li><b>served</b>: wrk (pinned to CPU WRK_CPU, 1 thread, c=64, bench/lua/v2-body.lua) for SECONDS
 *       against the in-process server; this JVM's CPU time (every thread: event loops, inference
 *       threads, GC, JIT; not wrk's) over the rows served. The exact batch sizes the server formed come
 *       from its Triton statistics ({@code GET /v2/models/MODEL/stats}, {@code batch_stats}: executions per
 *       batch size, which the batcher records anyway), before/after delta;
 *   <li><b>ONNX Runtime alone</b>, right after, in this JVM while the server idles: a second session on
 *       the same model file with the server's session options (all graph optimisations, 1 intra-op
 *       thread: ModelServerConfig.DEFAULT_INTRA_OP_THREADS), INSTANCES threads (the model's
 *       instanceCount) each running batches back to back for SECONDS, the batch sizes being exactly the
 *       served run's multiset (each thread cycles through it in its own shuffled order). Inputs are fed
 *       from a direct buffer, as the server does, and each output is read into a Java array, as the
 *       server does. CPU time of those threads over the rows.
 * </ol>
 * Each row prints served rows/s over ORT-alone rows/s ("ratio", the figure, wall clock: at
 * the mercy of what else the machine runs meanwhile) and ORT-alone CPU per row over the served CPU per
 * row ("cpu ratio": rows per CPU-second, steadier on a shared machine). Before the first run of each
 * size: served load for at least WARMUP seconds and until the JIT is nearly idle (see {@link #warmUp}),
 * and WARMUP seconds of ONNX Runtime alone; before later runs, WARMUP/2 seconds of served load.
 * Exit status 1 when a request failed.
 */
public final class ServingOverheadBench {
  private static final Pattern FIELD = Pattern.compile("(\\w+)=([0-9.]+)");

  public static void main(String[] args) throws Exception {
    Path repo = Path.of(args[0]);
    Path work = Path.of(args[1]);
    String model = args[2];
    int instances = Integer.parseInt(args[3]);
    String[] rowsPerRequest = args[4].trim().split("\\s+");
    int runs = Integer.parseInt(args[5]);
    double seconds = Double.parseDouble(args[6]);
    double warmup = Double.parseDouble(args[7]);
    String wrkCpu = args[8];
    String port = args[9];
    String adminPort = args[10];

    System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tL %4$s %3$s: %5$s%6$s%n");
    ModelServerMain.Started started = ModelServerMain.start(new String[] {"--port", port, "--admin-port", adminPort,
        "--models", repo.toString(), "--device", "cpu"}, System.err);
    ModelServer server = started.server();
    if (server == null) {
      System.exit(started.exitCode());
    }
    boolean failed = false;
    try {
      String base = "http://127.0.0.1:" + server.port() + "/v2/models/" + model;
      Ort ort = new Ort(repo.resolve(model).resolve("1").resolve("model.onnx"), instances);
      for (String k : rowsPerRequest) {
        int rows = Integer.parseInt(k);
        Path body = work.resolve("mlp" + k + ".bin");
        String headerLength = Files.readString(work.resolve("mlp" + k + ".bin.hlen")).trim();
        System.out.printf("%n== mlp [%d,1024] FP32 binary requests at c=64, served vs ONNX Runtime alone in this JVM"
            + " (%d threads, the served run's exact batch sizes), %.0fs each%n", rows, instances, seconds);
        System.out.printf("%-4s %10s %10s %10s %10s %6s %10s %9s%n", "run", "served_r/s", "cpu_us/row", "mean_batch",
            "ort_r/s", "ratio", "cpu_us/row", "cpu_ratio");
        for (int r = 1; r <= runs; r++) {
          boolean first = r == 1;
          if (first) {
            failed |= warmUp(wrkCpu, warmup, base, body, headerLength);
          } else {
            failed |= wrk(wrkCpu, warmup / 2, base, body, headerLength).errors();
          }
          Map<Integer, Long> before = batchCounts(base);
          long cpu0 = processCpuNanos();
          Wrk served = wrk(wrkCpu, seconds, base, body, headerLength);
          long cpu1 = processCpuNanos();
          Map<Integer, Long> batches = delta(before, batchCounts(base));
          failed |= served.failed();
          if (served.failed() && !served.errors()) {
            System.out.println("  FAILED: no request answered in the measured run");
          }
          long servedRows = served.requests() * rows;
          double servedCpuPerRow = (cpu1 - cpu0) / 1e3 / servedRows;
          long batchCount = batches.values().stream().mapToLong(Long::longValue).sum();
          long batchRows = batches.entrySet().stream().mapToLong(e -> e.getKey() * e.getValue()).sum();
          if (first) {
            ort.run(batches, warmup); // its warm-up, on this size's batches
          }
          Ort.Result alone = ort.run(batches, seconds);
          double servedRate = servedRows / served.seconds();
          System.out.printf("%-4d %10.0f %10.1f %10.2f %10.0f %5.2fx %10.1f %8.2fx%n", r, servedRate, servedCpuPerRow,
              (double) batchRows / batchCount, alone.rowsPerSecond(), servedRate / alone.rowsPerSecond(),
              alone.cpuMicrosPerRow(), alone.cpuMicrosPerRow() / servedCpuPerRow);
          System.out.printf("     %d requests, p50 %.1f ms, p99 %.1f ms; %d batches, by rows: %s%n", served.requests(),
              served.p50(), served.p99(), batchCount, batches);
        }
      }
    } finally {
      server.close();
    }
    System.out.println(failed ? "some requests failed (see above)" : "every request succeeded");
    System.exit(failed ? 1 : 0);
  }

  /**
   * WARMUP seconds of served load, then more in 3 s steps while the JIT is still busy (compiling for
   * more than 5 % of a step), up to 60 s in all: on a loaded machine the compiler threads fall behind,
   * and a run measured before they finish counts their CPU, and slower code, as serving cost.
   */
  private static boolean warmUp(String cpu, double warmup, String base, Path body, String headerLength) throws Exception {
    java.lang.management.CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    boolean failed = wrk(cpu, warmup, base, body, headerLength).errors();
    double total = warmup;
    while (total < 60) {
      long before = jit.getTotalCompilationTime();
      failed |= wrk(cpu, 3, base, body, headerLength).errors();
      total += 3;
      long compiling = jit.getTotalCompilationTime() - before;
      if (compiling < 150) {
        break;
      }
    }
    System.out.printf("     warm-up: %.0f s of served load (until the JIT compiled for < 5 %% of 3 s)%n", total);
    return failed;
  }

  /** {@code failed}: errors, or no request answered; {@code errors}: errors only (a cold warm-up may answer none). */
  private record Wrk(long requests, double seconds, double p50, double p99, boolean failed, boolean errors) {}

  private static Wrk wrk(String cpu, double seconds, String base, Path body, String headerLength) throws Exception {
    Process process = new ProcessBuilder("taskset", "-c", cpu, "wrk", "-t1", "-c64", "-d" + Math.round(seconds) + "s",
        "--timeout", "30s", "-s", "bench/lua/v2-body.lua", base + "/infer", "--", body.toString(), headerLength)
        .redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    process.waitFor();
    String line = out.lines().filter(l -> l.startsWith("BENCH_RESULT")).findFirst().orElse(null);
    if (line == null) {
      System.out.println("  FAILED: wrk printed no result: " + out);
      return new Wrk(0, seconds, 0, 0, true, true);
    }
    Map<String, Double> f = new TreeMap<>();
    Matcher m = FIELD.matcher(line);
    while (m.find()) {
      f.put(m.group(1), Double.parseDouble(m.group(2)));
    }
    double errors = f.get("non2xx") + f.get("connect") + f.get("read") + f.get("write") + f.get("timeout");
    boolean failed = errors != 0 || f.get("requests") == 0;
    if (errors != 0) {
      System.out.println("  FAILED requests: " + line);
    }
    return new Wrk(f.get("requests").longValue(), f.get("duration_s"), f.get("p50_ms"), f.get("p99_ms"), failed,
        errors != 0);
  }

  /** Executions by batch size (rows) so far: the model's Triton statistics, {@code batch_stats}. */
  private static Map<Integer, Long> batchCounts(String base) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(base + "/stats")).build(), HttpResponse.BodyHandlers.ofString());
    JsonArray stats = new JsonObject(response.body()).getJsonArray("model_stats");
    Map<Integer, Long> counts = new TreeMap<>();
    for (Object version : stats) {
      for (Object b : ((JsonObject) version).getJsonArray("batch_stats")) {
        JsonObject batch = (JsonObject) b;
        counts.merge(batch.getInteger("batch_size"), batch.getJsonObject("compute_infer").getLong("count"), Long::sum);
      }
    }
    return counts;
  }

  private static Map<Integer, Long> delta(Map<Integer, Long> before, Map<Integer, Long> after) {
    Map<Integer, Long> delta = new TreeMap<>();
    after.forEach((size, count) -> {
      long d = count - before.getOrDefault(size, 0L);
      if (d > 0) {
        delta.put(size, d);
      }
    });
    return delta;
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /** ONNX Runtime alone on the model: its own session, the server's options, no server code. */
  private static final class Ort {
    record Result(double rowsPerSecond, double cpuMicrosPerRow) {}

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final String input;
    private final int threads;

    Ort(Path modelFile, int threads) throws Exception {
      OrtSession.SessionOptions options = new OrtSession.SessionOptions();
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      options.setIntraOpNumThreads(1);
      this.session = env.createSession(modelFile.toString(), options);
      this.input = session.getInputNames().iterator().next();
      this.threads = threads;
    }

    Result run(Map<Integer, Long> batches, double seconds) throws Exception {
      List<Integer> sizes = new ArrayList<>();
      batches.forEach((size, count) -> {
        for (long i = 0; i < count; i++) {
          sizes.add(size);
        }
      });
      int columns = 1024;
      int maxRows = sizes.stream().mapToInt(Integer::intValue).max().orElse(1);
      AtomicLong rows = new AtomicLong();
      AtomicLong cpu = new AtomicLong();
      ThreadMXBean mx = ManagementFactory.getThreadMXBean();
      long start = System.nanoTime();
      long end = start + (long) (seconds * 1e9);
      List<Thread> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        List<Integer> order = new ArrayList<>(sizes);
        Collections.shuffle(order, new Random(100 + t));
        Thread worker = new Thread(() -> {
          FloatBuffer data = ByteBuffer.allocateDirect(maxRows * columns * 4).order(ByteOrder.nativeOrder())
              .asFloatBuffer();
          Random random = new Random(7);
          for (int i = 0; i < data.capacity(); i++) {
            data.put(i, (float) random.nextGaussian());
          }
          long cpu0 = mx.getCurrentThreadCpuTime();
          long done = 0;
          try {
            for (int i = 0; System.nanoTime() < end; i = (i + 1) % order.size()) {
              int size = order.get(i);
              try (OnnxTensor tensor = OnnxTensor.createTensor(env, data.duplicate().limit(size * columns),
                  new long[] {size, columns});
                  OrtSession.Result result = session.run(Map.of(input, tensor))) {
                FloatBuffer out = ((OnnxTensor) result.get(0)).getFloatBuffer();
                float[] copy = new float[out.remaining()];
                out.get(copy);
              }
              done += size;
            }
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
          rows.addAndGet(done);
          cpu.addAndGet(mx.getCurrentThreadCpuTime() - cpu0);
        }, "ort-alone-" + t);
        worker.start();
        workers.add(worker);
      }
      for (Thread worker : workers) {
        worker.join();
      }
      double elapsed = (System.nanoTime() - start) / 1e9; // the last batches end a little after the deadline
      return new Result(rows.get() / elapsed, cpu.get() / 1e3 / rows.get());
    }
  }
}
