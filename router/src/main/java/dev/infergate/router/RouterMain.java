package dev.infergate.router;

import dev.infergate.router.auth.TokenCommand;
import dev.infergate.router.config.ConfigException;
import dev.infergate.router.config.ConfigLoader;
import dev.infergate.router.rollout.RolloutCommand;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code java -jar router.jar [--config FILE]} (default {@code config/router.yaml}). Exits 2 on an
 * invalid configuration, 1 when it cannot start; SIGTERM shuts down gracefully. {@code java -jar
 * router.jar token --sub NAME ...} prints a dev token instead ({@link TokenCommand}); {@code java
 * -jar router.jar rollout ACTION SERVICE ...} calls the rollout admin API ({@link RolloutCommand}).
 */
public final class RouterMain {
  private static final String DEFAULT_CONFIG = "config/router.yaml";

  private RouterMain() {}

  public static void main(String[] args) {
    if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
      System.setProperty(
          "java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tL %4$s %3$s: %5$s%6$s%n");
    }
    // resilience4j logs through SLF4J; with no provider bound, keep SLF4J's start-up notice quiet.
    if (System.getProperty("slf4j.internal.verbosity") == null) {
      System.setProperty("slf4j.internal.verbosity", "ERROR");
    }
    if (args.length > 0 && args[0].equals("token")) {
      int code =
          TokenCommand.run(
              List.of(args).subList(1, args.length), DEFAULT_CONFIG, System.out, System.err);
      System.exit(code);
      return;
    }
    if (args.length > 0 && args[0].equals("rollout")) {
      System.exit(
          RolloutCommand.run(
              List.of(args).subList(1, args.length), System.getenv(), System.out, System.err));
      return;
    }
    String config = DEFAULT_CONFIG;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--config" -> {
          if (i + 1 >= args.length) {
            usage("--config needs a file");
          }
          config = args[++i];
        }
        case "-h", "--help" -> {
          System.out.println(
              "usage: java -jar router.jar [--config FILE]   (default "
                  + DEFAULT_CONFIG
                  + ")\n"
                  + "       java -jar router.jar token --sub NAME [--role ROLE]... [--plan PLAN] [--ttl 1h] [--config FILE]\n"
                  + "       java -jar router.jar rollout start|status|pause|resume|abort SERVICE [--admin URL] [--token T]");
          return;
        }
        default -> usage("unknown argument '" + args[i] + "'");
      }
    }
    RouterServer server;
    try {
      server = RouterServer.start(new ConfigLoader(Path.of(config), System.getenv()), System.out);
    } catch (ConfigException e) {
      System.err.println("infergate router: invalid configuration: " + e.getMessage());
      System.exit(2);
      return;
    } catch (Exception e) {
      System.err.println("infergate router: cannot start: " + e);
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "infergate-shutdown"));
  }

  private static void usage(String problem) {
    System.err.println(
        "infergate router: " + problem + "\nusage: java -jar router.jar [--config FILE]");
    System.exit(2);
  }
}
