package dev.infergate.modelserver.repository;

import dev.infergate.modelserver.batching.Admission;
import dev.infergate.modelserver.batching.DynamicBatcher;
import dev.infergate.modelserver.batching.SplitJoin;
import dev.infergate.modelserver.observability.InferenceMeters;
import dev.infergate.modelserver.runtime.Datatype;
import dev.infergate.modelserver.runtime.InferenceCallback;
import dev.infergate.modelserver.runtime.InferenceRequest;
import dev.infergate.modelserver.runtime.OnnxModel;
import dev.infergate.modelserver.runtime.PendingInference;
import dev.infergate.modelserver.runtime.RequestTrace;
import dev.infergate.modelserver.runtime.Tensor;
import dev.infergate.modelserver.runtime.TensorSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * One loaded, warmed-up version of a model: its session, its batcher and its meters. Thread-safe.
 */
public final class ModelVersion {
  /**
   * The extra output that carries each row's class label, for models whose config names labels;
   * when the model has an output of that name already, {@code <scores output>_label} (then with a
   * number).
   */
  public static final String LABEL_OUTPUT = "label";

  private final String name;
  private final String version;
  private final OnnxModel model;
  private final ModelConfig config;
  private final DynamicBatcher<PendingInference> batcher;
  private final InferenceMeters meters;
  private final int labelledOutput;
  private final List<TensorSpec> outputs;
  private final String labelOutput;

  /**
   * {@code modelOutputs}: the model's outputs, ZipMaps with their classes (from the warm-up run).
   */
  ModelVersion(
      String name,
      String version,
      OnnxModel model,
      List<TensorSpec> modelOutputs,
      ModelConfig config,
      DynamicBatcher<PendingInference> batcher,
      InferenceMeters meters,
      int labelledOutput) {
    this.name = name;
    this.version = version;
    this.model = model;
    this.config = config;
    this.batcher = batcher;
    this.meters = meters;
    this.labelledOutput = labelledOutput;
    List<TensorSpec> all = new ArrayList<>(modelOutputs);
    this.labelOutput =
        labelledOutput < 0
            ? null
            : uniqueLabelName(modelOutputs, modelOutputs.get(labelledOutput).name());
    if (labelOutput != null) {
      all.add(new TensorSpec(labelOutput, Datatype.BYTES, new long[] {-1}));
    }
    this.outputs = List.copyOf(all);
  }

  private static String uniqueLabelName(List<TensorSpec> outputs, String scores) {
    java.util.Set<String> taken = new java.util.HashSet<>();
    outputs.forEach(output -> taken.add(output.name()));
    String name = taken.contains(LABEL_OUTPUT) ? scores + "_" + LABEL_OUTPUT : LABEL_OUTPUT;
    for (int n = 2; taken.contains(name); n++) {
      name = scores + "_" + LABEL_OUTPUT + n;
    }
    return name;
  }

  /**
   * The name of the extra label output (see {@link #LABEL_OUTPUT}), or null when the config names
   * no labels.
   */
  public String labelOutput() {
    return labelOutput;
  }

  public String name() {
    return name;
  }

  public String version() {
    return version;
  }

  public List<TensorSpec> inputs() {
    return model.inputs();
  }

  /** The model's outputs plus {@link #labelOutput()} when the config names labels. */
  public List<TensorSpec> outputs() {
    return outputs;
  }

  public ModelConfig config() {
    return config;
  }

  public int maxBatchSize() {
    return batcher.policy().maxBatchSize();
  }

  /**
   * The most rows one request may have: requests above {@link #maxBatchSize()} are split into
   * batches and joined back. A model that cannot batch ({@link #supportsBatching()} false) takes
   * one batch's worth.
   */
  public int maxRequestRows() {
    return model.supportsBatching()
        ? batcher.policy().maxRequestRows()
        : batcher.policy().maxBatchSize();
  }

  public boolean supportsBatching() {
    return model.supportsBatching();
  }

  /** Index into the model's outputs of the output whose columns the labels name, or -1. */
  public int labelledOutput() {
    return labelledOutput;
  }

  public List<String> labels() {
    return config.labels();
  }

  public String executionProvider() {
    return model.executionProvider();
  }

  public InferenceMeters meters() {
    return meters;
  }

  /**
   * Queues a request; never blocks. The callback runs once, on an inference worker thread. A
   * request of more than {@link #maxBatchSize()} rows (at most {@link #maxRequestRows()}: the
   * codecs refuse more) is queued as parts of at most {@code maxBatchSize} rows, all or none, and
   * its outputs joined back in row order; a part that fails fails the request.
   */
  public Admission submit(InferenceRequest request, InferenceCallback callback) {
    return submit(request, null, callback);
  }

  /**
   * As {@link #submit(InferenceRequest, InferenceCallback)}, with the request's trace (null:
   * untraced).
   */
  public Admission submit(
      InferenceRequest request, RequestTrace trace, InferenceCallback callback) {
    long now = System.nanoTime();
    int rows = request.rows();
    Admission admission =
        rows > maxBatchSize() && model.supportsBatching()
            ? batcher.offerAll(split(request, now, trace, callback))
            : batcher.offer(new PendingInference(request, now, callback, trace));
    if (admission == Admission.QUEUE_FULL) {
      meters.count(InferenceMeters.Outcome.QUEUE_FULL);
    }
    return admission;
  }

  private List<PendingInference> split(
      InferenceRequest request, long now, RequestTrace trace, InferenceCallback callback) {
    List<int[]> ranges = SplitJoin.ranges(request.rows(), maxBatchSize());
    SplitJoin<List<Tensor>> join =
        new SplitJoin<>(
            ranges.size(), parts -> callback.onResult(RowConcat.join(parts)), callback::onError);
    List<PendingInference> pending = new ArrayList<>(ranges.size());
    for (int i = 0; i < ranges.size(); i++) {
      int part = i;
      int[] range = ranges.get(i);
      List<Tensor> inputs =
          request.inputs().stream().map(t -> t.rowSlice(range[0], range[1])).toList();
      pending.add(
          new PendingInference(
              new InferenceRequest(request.id(), inputs, request.requestedOutputs()),
              now,
              new InferenceCallback() {
                @Override
                public void onResult(List<Tensor> outputs) {
                  join.complete(part, outputs);
                }

                @Override
                public void onError(Throwable error) {
                  join.fail(error);
                }
              },
              trace));
    }
    return pending;
  }

  /** Stops taking requests, finishes the queued ones, then frees the session. */
  void unload(Runnable whenDone) {
    batcher.close(
        () -> {
          model.close();
          whenDone.run();
        });
  }
}
