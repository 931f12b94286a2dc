package dev.infergate.modelserver.config;

import dev.infergate.telemetry.LogFormat;
import dev.infergate.telemetry.TracingConfig;
import java.nio.file.Path;
import java.util.Set;

/**
 * The model server's settings, from {@code config/model-server.yaml} with command-line flags on
 * top.
 *
 * @param modelDefaults batching for models whose {@code config.yaml} leaves it out
 * @param intraOpThreads ONNX Runtime threads inside one batch; 0 lets ONNX Runtime choose
 * @param inferenceThreads worker threads that run batches (never the event loops)
 * @param drainTimeoutMillis on SIGTERM, how long in-flight requests may take to finish
 * @param admin the listener of the repository API and {@code /metrics}
 * @param preStopDelayMillis on SIGTERM, how long to keep serving with readiness false before the
 *     listeners stop accepting, so that load balancers (the router's health checks, a Service's
 *     endpoints) stop sending first
 * @param limits read deadlines, idle timeout and connection cap of the listener
 * @param strict a model that fails to load stops the start (exit 1), as before failure isolation;
 *     by default it is listed {@code UNAVAILABLE} with its reason and the other models serve
 * @param logFormat {@code logFormat: text | json} (JSON lines with request and trace ids)
 * @param tracing {@code tracing: {otlpEndpoint, sampleRatio}}: OpenTelemetry spans over OTLP/HTTP,
 *     off by default
 */
public record ModelServerConfig(
    String host,
    int port,
    Path modelsDir,
    DeviceSpec device,
    int maxBodyBytes,
    BatchPolicy modelDefaults,
    int intraOpThreads,
    int inferenceThreads,
    long drainTimeoutMillis,
    AdminListener admin,
    long preStopDelayMillis,
    LimitsConfig limits,
    boolean strict,
    LogFormat logFormat,
    TracingConfig tracing) {

  public static final String DEFAULT_HOST = "0.0.0.0";
  public static final int DEFAULT_PORT = 9001;
  public static final String DEFAULT_MODELS_DIR = "config/models";
  public static final int DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;
  public static final int DEFAULT_INTRA_OP_THREADS = 1;
  public static final long DEFAULT_DRAIN_TIMEOUT_MILLIS = 30_000;

  /** Three router health-check intervals (1 s by default) and a Kubernetes endpoint update. */
  public static final long DEFAULT_PRE_STOP_DELAY_MILLIS = 5_000;

  /** Failure isolation: a bad model is listed UNAVAILABLE, the others serve. */
  public static final boolean DEFAULT_STRICT = false;

  private static final Set<String> KEYS =
      Set.of(
          "host",
          "port",
          "models",
          "device",
          "maxBodyBytes",
          "modelDefaults",
          "intraOpThreads",
          "inferenceThreads",
          "drainTimeoutMillis",
          "admin",
          "preStopDelayMillis",
          "limits",
          "strict",
          "logFormat",
          "tracing");

  public ModelServerConfig {
    if (port < 0 || port > 65535) {
      throw new ConfigException("port: must be 0..65535, was " + port);
    }
    if (admin == null) {
      throw new ConfigException("admin: must be set");
    }
    if (admin.port() != 0 && admin.port() == port) {
      throw new ConfigException("admin.port: must differ from port, both were " + port);
    }
    if (preStopDelayMillis < 0) {
      throw new ConfigException("preStopDelayMillis: must be >= 0, was " + preStopDelayMillis);
    }
    if (limits == null) {
      throw new ConfigException("limits: must be set (LimitsConfig.DEFAULT for the defaults)");
    }
    if (logFormat == null) {
      throw new ConfigException("logFormat must be set (LogFormat.DEFAULT for text)");
    }
    if (tracing == null) {
      throw new ConfigException("tracing must be set (TracingConfig.OFF for none)");
    }
  }

  /** This config with {@code strict} set as given. */
  public ModelServerConfig withStrict(boolean strict) {
    return new ModelServerConfig(
        host,
        port,
        modelsDir,
        device,
        maxBodyBytes,
        modelDefaults,
        intraOpThreads,
        inferenceThreads,
        drainTimeoutMillis,
        admin,
        preStopDelayMillis,
        limits,
        strict,
        logFormat,
        tracing);
  }

  /** Builds the config from an optional YAML file and the command line; flags win over the file. */
  public static ModelServerConfig load(CommandLine commandLine) {
    ConfigNode root =
        commandLine.configFile() == null
            ? ConfigNode.empty("")
            : ConfigNode.load(commandLine.configFile());
    root.rejectUnknownKeys(KEYS);
    ConfigNode defaults = root.child("modelDefaults");
    defaults.rejectUnknownKeys(BatchPolicy.KEYS);
    int cores = Runtime.getRuntime().availableProcessors();
    return new ModelServerConfig(
        root.stringValue("host", DEFAULT_HOST),
        commandLine.port() != null
            ? commandLine.port()
            : root.intValue("port", DEFAULT_PORT, 0, 65535),
        Path.of(
            commandLine.modelsDir() != null
                ? commandLine.modelsDir()
                : root.stringValue("models", DEFAULT_MODELS_DIR)),
        DeviceSpec.parse(
            commandLine.device() != null
                ? commandLine.device()
                : root.stringValue("device", "auto")),
        root.intValue("maxBodyBytes", DEFAULT_MAX_BODY_BYTES, 1024, Integer.MAX_VALUE),
        BatchPolicy.from(defaults, BatchPolicy.DEFAULT),
        root.intValue("intraOpThreads", DEFAULT_INTRA_OP_THREADS, 0, 1024),
        root.intValue("inferenceThreads", cores, 1, 1024),
        root.longValue("drainTimeoutMillis", DEFAULT_DRAIN_TIMEOUT_MILLIS, 0, 3_600_000),
        AdminListener.from(root.child("admin"), commandLine.adminHost(), commandLine.adminPort()),
        root.longValue("preStopDelayMillis", DEFAULT_PRE_STOP_DELAY_MILLIS, 0, 600_000),
        LimitsConfig.from(root.child("limits")),
        commandLine.strict() != null
            ? commandLine.strict()
            : root.booleanValue("strict", DEFAULT_STRICT),
        TelemetryYaml.logFormat(root),
        TelemetryYaml.tracing(root));
  }
}
