package dev.infergate.router.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Reads and parses a config file. Blocking file I/O: call from a worker thread or at start-up. */
public final class ConfigLoader {
  private final Path file;
  private final Map<String, String> env;

  public ConfigLoader(Path file, Map<String, String> env) {
    this.file = file;
    this.env = Map.copyOf(env);
  }

  public Path file() {
    return file;
  }

  /** The file's text, for change detection. */
  public String read() throws ConfigException {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read (" + e + ")", e);
    }
  }

  public RouterConfig parse(String text) throws ConfigException {
    try {
      return ConfigParser.parse(text, env);
    } catch (ConfigException e) {
      throw new ConfigException(file + ": " + e.getMessage(), e);
    }
  }

  public RouterConfig load() throws ConfigException {
    return parse(read());
  }
}
