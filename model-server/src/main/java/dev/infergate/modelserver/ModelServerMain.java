package dev.infergate.modelserver;

import dev.infergate.modelserver.config.CommandLine;
import dev.infergate.modelserver.config.ConfigException;
import dev.infergate.modelserver.config.ModelServerConfig;
import dev.infergate.modelserver.runtime.ModelLoadException;
import java.io.PrintStream;

/**
 * {@code java -jar model-server.jar [--config FILE] [--port N] [--admin-port N] [--admin-host H]
 * [--models DIR] [--device auto|cpu|cuda[:N]] [--strict]}; SIGTERM runs {@link
 * ModelServer#drainAndClose()}.
 */
public final class ModelServerMain {
  /** A bad config or command line. */
  public static final int EXIT_CONFIG = 2;

  /**
   * The server could not start: no models, a port in use, or (with {@code --strict}) a model that
   * did not load.
   */
  public static final int EXIT_START = 1;

  private ModelServerMain() {}

  public static void main(String[] args) {
    System.setProperty(
        "java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tL %4$s %3$s: %5$s%6$s%n");
    Started started = start(args, System.err);
    if (started.server() == null) {
      System.exit(started.exitCode());
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(started.server()::drainAndClose, "shutdown"));
  }

  /** A running server (exit code 0), or none and the exit code that says why. */
  public record Started(ModelServer server, int exitCode) {}

  /** Starts a server, or prints why it cannot to {@code errors}. */
  public static Started start(String[] args, PrintStream errors) {
    try {
      return new Started(ModelServer.start(ModelServerConfig.load(CommandLine.parse(args))), 0);
    } catch (ConfigException e) {
      errors.println("model-server: " + e.getMessage());
      errors.flush();
      return new Started(null, EXIT_CONFIG);
    } catch (ModelLoadException | RuntimeException e) {
      errors.println("model-server: cannot start: " + e.getMessage());
      errors.flush();
      return new Started(null, EXIT_START);
    }
  }
}
