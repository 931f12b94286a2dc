package dev.infergate.modelserver.runtime;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.infergate.modelserver.config.DeviceSpec;
import java.nio.file.Path;
import java.util.logging.Logger;

/**
 * Opens ONNX Runtime sessions on the configured device. {@code auto} tries CUDA once, by really
 * opening a session with it ({@code OrtEnvironment.getAvailableProviders()} lists CUDA in the GPU
 * build even where no GPU exists, so it proves nothing), and keeps whichever provider worked for
 * every later session. Thread-safe.
 */
public final class SessionFactory {
  private static final Logger LOG = Logger.getLogger(SessionFactory.class.getName());

  private final OrtEnvironment environment = OrtEnvironment.getEnvironment();
  private final DeviceSpec device;
  private final int intraOpThreads;
  private volatile Boolean cudaWorks;

  public SessionFactory(DeviceSpec device, int intraOpThreads) {
    this.device = device;
    this.intraOpThreads = intraOpThreads;
    if (device.kind() == DeviceSpec.Kind.CPU) {
      LOG.info("execution provider: CPU (--device cpu)");
    }
  }

  public OrtEnvironment environment() {
    return environment;
  }

  public OnnxModel open(Path modelFile) throws ModelLoadException {
    return switch (device.kind()) {
      case CPU -> new OnnxModel(createSession(modelFile, false), "CPU");
      case CUDA -> openOnCuda(modelFile);
      case AUTO -> openAuto(modelFile);
    };
  }

  private OnnxModel openOnCuda(Path modelFile) throws ModelLoadException {
    try {
      return new OnnxModel(createSession(modelFile, true), "CUDA:" + device.cudaDevice());
    } catch (ModelLoadException e) {
      throw new ModelLoadException(
          "--device "
              + device
              + " was asked for, but CUDA is not usable here: "
              + e.getMessage()
              + " (use --device auto or cpu on machines without a GPU)",
          e);
    }
  }

  private synchronized OnnxModel openAuto(Path modelFile) throws ModelLoadException {
    if (cudaWorks == null) {
      try {
        OnnxModel model =
            new OnnxModel(createSession(modelFile, true), "CUDA:" + device.cudaDevice());
        cudaWorks = true;
        LOG.info("execution provider: CUDA (device " + device.cudaDevice() + ")");
        return model;
      } catch (ModelLoadException e) {
        cudaWorks = false;
        LOG.info("execution provider: CPU (CUDA not available: " + firstLine(e.getMessage()) + ")");
      }
    }
    return cudaWorks
        ? new OnnxModel(createSession(modelFile, true), "CUDA:" + device.cudaDevice())
        : new OnnxModel(createSession(modelFile, false), "CPU");
  }

  private OrtSession createSession(Path modelFile, boolean cuda) throws ModelLoadException {
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      if (intraOpThreads > 0) {
        options.setIntraOpNumThreads(intraOpThreads);
      }
      if (cuda) {
        options.addCUDA(device.cudaDevice());
      }
      return environment.createSession(modelFile.toString(), options);
    } catch (OrtException | RuntimeException | UnsatisfiedLinkError e) {
      throw new ModelLoadException(e.getMessage() == null ? e.toString() : e.getMessage(), e);
    }
  }

  private static String firstLine(String text) {
    if (text == null) {
      return "unknown reason";
    }
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }
}
