package dev.infergate.modelserver.config;

/**
 * Where inference runs: {@code auto} (CUDA when a GPU answers, else CPU), {@code cpu}, or {@code
 * cuda[:N]} (GPU N, failing at start when there is none).
 */
public record DeviceSpec(Kind kind, int cudaDevice) {
  public enum Kind {
    AUTO,
    CPU,
    CUDA
  }

  public static final DeviceSpec AUTO = new DeviceSpec(Kind.AUTO, 0);
  public static final DeviceSpec CPU = new DeviceSpec(Kind.CPU, 0);

  public DeviceSpec {
    if (cudaDevice < 0) {
      throw new ConfigException("device: CUDA device index must be >= 0, was " + cudaDevice);
    }
  }

  public static DeviceSpec parse(String text) {
    String value = text.trim().toLowerCase(java.util.Locale.ROOT);
    if (value.equals("auto")) {
      return AUTO;
    }
    if (value.equals("cpu")) {
      return CPU;
    }
    if (value.equals("cuda")) {
      return new DeviceSpec(Kind.CUDA, 0);
    }
    if (value.startsWith("cuda:")) {
      try {
        return new DeviceSpec(Kind.CUDA, Integer.parseInt(value.substring(5)));
      } catch (NumberFormatException e) {
        throw new ConfigException("device: must be auto, cpu, cuda or cuda:N, was " + text);
      }
    }
    throw new ConfigException("device: must be auto, cpu, cuda or cuda:N, was " + text);
  }

  @Override
  public String toString() {
    return switch (kind) {
      case AUTO -> "auto";
      case CPU -> "cpu";
      case CUDA -> "cuda:" + cudaDevice;
    };
  }
}
