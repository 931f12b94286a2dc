package dev.infergate.modelserver;

import dev.infergate.modelserver.config.CommandLine;
import dev.infergate.modelserver.config.ConfigException;
import dev.infergate.modelserver.config.ModelServerConfig;
import dev.infergate.modelserver.runtime.ModelLoadException;

/**
 * {@code java -jar model-server.jar [--config FILE] [--port N] [--admin-port N] [--admin-host H] [--models DIR]
 * [--device auto|cpu|cuda[:N]]}; SIGTERM runs {@link ModelServer#drainAndClose()}.
 */
public final class ModelServerMain {
  private ModelServerMain() {}

  public static void main(String[] args) {
    System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tL %4$s %3$s: %5$s%6$s%n");
    ModelServer server;
    try {
      server = ModelServer.start(ModelServerConfig.load(CommandLine.parse(args)));
    } catch (ConfigException e) {
      System.err.println("model-server: " + e.getMessage());
      System.exit(2);
      return;
    } catch (ModelLoadException | RuntimeException e) {
      System.err.println("model-server: cannot start: " + e.getMessage());
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(server::drainAndClose, "shutdown"));
  }
}
