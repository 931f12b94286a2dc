package dev.infergate.router.testsupport;

import dev.infergate.router.RouterServer;
import dev.infergate.router.config.ConfigLoader;
import dev.infergate.router.routing.RoutingTable;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;

/** A real router (in this JVM) on port 0 with its config in a temp file that tests can rewrite. */
public final class RouterHarness implements AutoCloseable {
  private final Path dir;
  private final Path configFile;
  private final RouterServer server;
  private boolean ownsDir;

  private RouterHarness(Path dir, Path configFile, RouterServer server) {
    this.dir = dir;
    this.configFile = configFile;
    this.server = server;
  }

  /**
   * Starts a router on {@code yaml}; without a {@code stateFile} line, the state goes to a temp
   * folder.
   */
  public static RouterHarness start(String yaml) throws Exception {
    RouterHarness h = start(Files.createTempDirectory("infergate-router-test"), yaml);
    h.ownsDir = true;
    return h;
  }

  /** Starts a router whose config file (and default state file) live in {@code dir}. */
  public static RouterHarness start(Path dir, String yaml) throws Exception {
    Path file = dir.resolve("router.yaml");
    Files.writeString(file, withStateFile(dir, yaml));
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    return new RouterHarness(
        dir, file, RouterServer.start(new ConfigLoader(file, Map.of()), quiet));
  }

  public String url(String path) {
    return "http://127.0.0.1:" + server.port() + path;
  }

  public String adminUrl(String path) {
    return "http://127.0.0.1:" + server.adminPort() + path;
  }

  private static String withStateFile(Path dir, String yaml) {
    return yaml.contains("stateFile:")
        ? yaml
        : "stateFile: " + dir.resolve("router-state.json") + "\n" + yaml;
  }

  public Path dir() {
    return dir;
  }

  public RouterServer server() {
    return server;
  }

  public RoutingTable routing() {
    return server.state().current();
  }

  /** GET on the admin API, as JSON. */
  public JsonObject admin(String path) {
    Http.Response r = Http.get(adminUrl(path));
    if (r.status() != 200) {
      throw new AssertionError("admin " + path + " answered " + r.status() + ": " + r.body());
    }
    return r.json();
  }

  /** The breaker state the admin API shows for the endpoint at {@code url} of that service. */
  public String breakerState(String service, String url) {
    for (Object t : admin("/admin/services/" + service).getJsonArray("tracks")) {
      for (Object e : ((JsonObject) t).getJsonArray("endpoints")) {
        JsonObject ep = (JsonObject) e;
        if (ep.getString("url").equals(url)) {
          return ep.getString("breaker");
        }
      }
    }
    throw new AssertionError("no endpoint " + url + " in service " + service);
  }

  /** Replaces the config file atomically (as a ConfigMap update or an editor's rename would). */
  public void rewriteConfig(String yaml) {
    try {
      Path tmp = dir.resolve("router.yaml.tmp");
      Files.writeString(tmp, withStateFile(dir, yaml));
      Files.move(
          tmp, configFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Rewrites the config and waits until the router runs on a new snapshot. */
  public void reload(String yaml) {
    RoutingTable before = routing();
    rewriteConfig(yaml);
    Poll.until(Duration.ofSeconds(10), () -> routing() != before, "config reload");
  }

  @Override
  public void close() {
    server.close();
    if (!ownsDir) {
      return;
    }
    try (var files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Files.deleteIfExists(p);
      }
      Files.deleteIfExists(dir);
    } catch (IOException ignored) {
      // Temp files; the OS cleans up.
    }
  }
}
