package dev.infergate.modelserver.repository;

import dev.infergate.modelserver.batching.BatchTimer;
import dev.infergate.modelserver.batching.DynamicBatcher;
import dev.infergate.modelserver.config.BatchPolicy;
import dev.infergate.modelserver.observability.InferenceMeters;
import dev.infergate.modelserver.runtime.BatchRunner;
import dev.infergate.modelserver.runtime.InferenceCallback;
import dev.infergate.modelserver.runtime.InferenceRequest;
import dev.infergate.modelserver.runtime.ModelLoadException;
import dev.infergate.modelserver.runtime.OnnxModel;
import dev.infergate.modelserver.runtime.PendingInference;
import dev.infergate.modelserver.runtime.SessionFactory;
import dev.infergate.modelserver.runtime.Tensor;
import dev.infergate.modelserver.runtime.TensorSpec;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Turns {@code <name>/<version>/model.onnx} into a ready {@link ModelVersion}: opens the session,
 * checks the config against the model's signature, and runs one warm-up inference. Blocking: call
 * it from a worker thread.
 */
final class ModelLoader {
  static final String MODEL_FILE = "model.onnx";

  private final SessionFactory sessions;
  private final MeterRegistry registry;
  private final Executor inferenceWorkers;
  private final BatchTimer timer;

  ModelLoader(
      SessionFactory sessions,
      MeterRegistry registry,
      Executor inferenceWorkers,
      BatchTimer timer) {
    this.sessions = sessions;
    this.registry = registry;
    this.inferenceWorkers = inferenceWorkers;
    this.timer = timer;
  }

  ModelVersion load(String name, String version, Path versionDir, ModelConfig config)
      throws ModelLoadException {
    OnnxModel model = sessions.open(versionDir.resolve(MODEL_FILE));
    try {
      checkFeatures(model, config);
      List<TensorSpec> outputs = withClasses(model, warmUp(model));
      int labelledOutput = labelledOutput(outputs, config);
      BatchPolicy policy =
          model.supportsBatching()
              ? config.batching()
              : new BatchPolicy(
                  1,
                  config.batching().maxQueueDelayNanos(),
                  config.batching().maxQueueSize(),
                  config.batching().instanceCount(),
                  1);
      InferenceMeters meters = new InferenceMeters(registry, name, version);
      var batcher =
          new DynamicBatcher<>(
              policy,
              PendingInference::rows,
              new BatchRunner(sessions.environment(), model, meters),
              inferenceWorkers,
              timer,
              System::nanoTime);
      meters.bindQueue(batcher::queuedRequests, policy.maxQueueSize());
      return new ModelVersion(
          name, version, model, outputs, config, batcher, meters, labelledOutput);
    } catch (ModelLoadException | RuntimeException e) {
      model.close();
      throw e instanceof ModelLoadException load ? load : new ModelLoadException(e.getMessage(), e);
    }
  }

  /**
   * The labels name the columns of the first output whose last dimension has one entry per label.
   */
  private static int labelledOutput(List<TensorSpec> outputs, ModelConfig config)
      throws ModelLoadException {
    if (config.labels().isEmpty()) {
      return -1;
    }
    for (int i = 0; i < outputs.size(); i++) {
      long[] shape = outputs.get(i).shape();
      if (shape.length == 2
          && outputs.get(i).datatype().isNumeric()
          && shape[1] == config.labels().size()) {
        return i;
      }
    }
    throw new ModelLoadException(
        "config.yaml has "
            + config.labels().size()
            + " labels but no output of shape [-1, "
            + config.labels().size()
            + "]: "
            + outputs);
  }

  private static void checkFeatures(OnnxModel model, ModelConfig config) throws ModelLoadException {
    if (config.features().isEmpty()) {
      return;
    }
    TensorSpec input = model.inputs().get(0);
    if (model.inputs().size() != 1
        || input.rank() != 2
        || input.dim(1) != config.features().size()) {
      throw new ModelLoadException(
          "config.yaml names "
              + config.features().size()
              + " features, but the model's inputs are "
              + model.inputs());
    }
  }

  /** The model's outputs with each ZipMap's class keys, as the warm-up run gave them. */
  private static List<TensorSpec> withClasses(OnnxModel model, List<Tensor> warmUpOutputs) {
    List<TensorSpec> outputs = new ArrayList<>(model.outputs().size());
    for (int i = 0; i < model.outputs().size(); i++) {
      TensorSpec spec = model.outputs().get(i);
      outputs.add(spec.zipMap() ? spec.withClasses(warmUpOutputs.get(i).classes()) : spec);
    }
    return List.copyOf(outputs);
  }

  /**
   * One inference on zeros (empty strings) so the first client does not pay for ONNX Runtime's lazy
   * initialisation; its outputs tell the class keys of ZipMap outputs.
   */
  private List<Tensor> warmUp(OnnxModel model) throws ModelLoadException {
    List<Tensor> inputs = new ArrayList<>();
    for (TensorSpec spec : model.inputs()) {
      long[] shape = spec.shape();
      int size = 1;
      for (int i = 0; i < shape.length; i++) {
        if (shape[i] < 0) {
          shape[i] = 1;
        }
        size = Math.multiplyExact(size, (int) shape[i]);
      }
      inputs.add(
          new Tensor(spec.name(), spec.datatype(), shape, spec.datatype().newArray(size), 0, size));
    }
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicReference<List<Tensor>> outputs = new AtomicReference<>();
    InferenceCallback callback =
        new InferenceCallback() {
          @Override
          public void onResult(List<Tensor> result) {
            outputs.set(result);
          }

          @Override
          public void onError(Throwable error) {
            failure.set(error);
          }
        };
    var warmUp =
        new PendingInference(
            new InferenceRequest("warm-up", inputs, null), System.nanoTime(), callback);
    BatchRunner runner = new BatchRunner(sessions.environment(), model, InferenceMeters.detached());
    try {
      runner.process(List.of(warmUp));
    } catch (RuntimeException e) {
      failure.set(e);
    }
    if (failure.get() != null) {
      throw new ModelLoadException(
          "warm-up inference failed: " + failure.get().getMessage(), failure.get());
    }
    return outputs.get();
  }
}
