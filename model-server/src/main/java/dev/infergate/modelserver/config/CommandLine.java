package dev.infergate.modelserver.config;

import java.nio.file.Path;

/**
 * {@code [--config FILE] [--port N] [--admin-port N] [--admin-host H] [--models DIR] [--device
 * auto|cpu|cuda[:N]] [--strict]}; a null field was not given ({@code strict}: true when the flag
 * was given, else null).
 */
public record CommandLine(
    Path configFile,
    Integer port,
    Integer adminPort,
    String adminHost,
    String modelsDir,
    String device,
    Boolean strict) {
  public static final String USAGE =
      "usage: model-server [--config FILE] [--port N] [--admin-port N]"
          + " [--admin-host H] [--models DIR] [--device auto|cpu|cuda[:N]] [--strict]";

  /** Without {@code --strict}. */
  public CommandLine(
      Path configFile,
      Integer port,
      Integer adminPort,
      String adminHost,
      String modelsDir,
      String device) {
    this(configFile, port, adminPort, adminHost, modelsDir, device, null);
  }

  public static CommandLine parse(String... args) {
    Path config = null;
    Integer port = null;
    Integer adminPort = null;
    String adminHost = null;
    String models = null;
    String device = null;
    Boolean strict = null;
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      if (flag.equals("--help") || flag.equals("-h")) {
        throw new ConfigException(USAGE);
      }
      if (flag.equals("--strict")) {
        strict = true;
        continue;
      }
      if (i + 1 >= args.length) {
        throw new ConfigException(flag + " needs a value; " + USAGE);
      }
      String value = args[++i];
      switch (flag) {
        case "--config" -> config = Path.of(value);
        case "--port" -> port = parsePort(flag, value);
        case "--admin-port" -> adminPort = parsePort(flag, value);
        case "--admin-host" -> adminHost = value;
        case "--models" -> models = value;
        case "--device" -> device = value;
        default -> throw new ConfigException("unknown flag " + flag + "; " + USAGE);
      }
    }
    return new CommandLine(config, port, adminPort, adminHost, models, device, strict);
  }

  private static int parsePort(String flag, String value) {
    try {
      int port = Integer.parseInt(value);
      if (port >= 0 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new ConfigException(flag + ": must be an integer 0..65535, was " + value);
  }
}
