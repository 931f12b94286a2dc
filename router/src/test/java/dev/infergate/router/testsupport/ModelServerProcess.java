package dev.infergate.router.testsupport;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A real model server ({@code model-server.jar}) as a separate process on random ports (inference
 * and admin listeners), CPU only.
 */
public final class ModelServerProcess implements AutoCloseable {
  private static final Pattern LISTENING =
      Pattern.compile("model-server listening on http://[^:]+:(\\d+)");
  private static final Pattern ADMIN_LISTENING =
      Pattern.compile("^admin listening on http://[^:]+:(\\d+)");
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  private final LaunchedProcess process;
  private int port;
  private int adminPort;

  private ModelServerProcess(LaunchedProcess process) {
    this.process = process;
  }

  /**
   * Starts the process; call {@link #awaitReady()} before use (start several, then wait, to overlap
   * start-ups).
   */
  public static ModelServerProcess launch(String name) throws Exception {
    return launch(name, "config/models");
  }

  /** The same on another model repository ({@code models}: a path from the repository root). */
  public static ModelServerProcess launch(String name, String models) throws Exception {
    return launch(name, models, List.of(), List.of());
  }

  /**
   * With JVM options ({@code -Dx=y}) and more arguments (e.g. {@code --config FILE}; the flags here
   * win over it).
   */
  public static ModelServerProcess launch(
      String name, String models, List<String> jvmOptions, List<String> args) throws Exception {
    List<String> cmd =
        new java.util.ArrayList<>(
            List.of(
                LaunchedProcess.java(), "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    cmd.addAll(jvmOptions);
    cmd.addAll(
        List.of(
            "-jar",
            LaunchedProcess.repoPath("model-server/target/model-server.jar").toString(),
            "--port",
            "0",
            "--admin-port",
            "0",
            "--models",
            LaunchedProcess.repoPath(models).toString(),
            "--device",
            "cpu"));
    cmd.addAll(args);
    return new ModelServerProcess(LaunchedProcess.start(name, cmd));
  }

  public ModelServerProcess awaitReady() {
    port = process.awaitPort(LISTENING, START_TIMEOUT);
    adminPort = process.awaitPort(ADMIN_LISTENING, START_TIMEOUT);
    return this;
  }

  public String url() {
    return "http://127.0.0.1:" + port;
  }

  /** The admin listener: the repository API and /metrics. */
  public String adminUrl() {
    return "http://127.0.0.1:" + adminPort;
  }

  /** SIGKILL, as a crashed or evicted replica. */
  public void kill() throws InterruptedException {
    process.kill();
  }

  public String output() {
    return process.output();
  }

  @Override
  public void close() throws InterruptedException {
    process.close();
  }
}
