package dev.infergate.router.admin;

import dev.infergate.router.config.ConfigException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Persists {@link OperatorState} so run-time changes survive a restart: written to a temporary
 * file, fsynced, then renamed over the old one, so a crash leaves either the old or the new state,
 * never a torn file; temporary files a crash left behind are removed by {@link
 * #removeStaleTemporaryFiles}. The file also holds {@code auditSeq}, the audit record of the last
 * change it contains.
 *
 * <p>Loading validates the file as strictly as the config file ({@link ConfigException} naming the
 * field and the value): a bad state file stops the start, as a bad config does, rather than being
 * ignored, because ignoring it would silently undo an operator's change (a canary taken to 0 during
 * an incident would get its traffic back). Whether a valid override still fits the config file's
 * tracks is {@link RoutingChanges#effective}'s call. Blocking: call from worker threads.
 */
public final class StateFile {
  private static final Logger LOG = Logger.getLogger(StateFile.class.getName());
  static final int VERSION = 1;
  private static final Set<String> TOP_KEYS = Set.of("version", "auditSeq", "services");
  private static final Set<String> SERVICE_KEYS = Set.of("override", "history", "rollout");
  private static final Set<String> OVERRIDE_KEYS = Set.of("weights", "active");

  private final Path file;

  /** Names where a state came from in error messages: the file, or a Redis key. */
  private final String source;

  /**
   * What the file holds: the operator's state and the audit {@code seq} of its last change (0:
   * none).
   */
  public record Saved(OperatorState state, long auditSeq) {}

  public StateFile(Path file) {
    this(file, "state file " + file);
  }

  private StateFile(Path file, String source) {
    this.file = file;
    this.source = source;
  }

  /**
   * Validates a state held elsewhere (the cluster's shared copy) as strictly as a state file.
   *
   * @param source named in the error message
   */
  public static Saved decode(JsonObject json, String source) throws ConfigException {
    return new StateFile(null, source).parse(json);
  }

  public Path path() {
    return file;
  }

  /** The saved state, or an empty one when there is no file yet. */
  public Saved load() throws IOException, ConfigException {
    if (!Files.exists(file)) {
      return new Saved(OperatorState.EMPTY, 0);
    }
    JsonObject json;
    try {
      json = new JsonObject(Files.readString(file));
    } catch (CharacterCodingException e) {
      throw invalid("", "not UTF-8 text (not a state file)");
    } catch (DecodeException | ClassCastException e) {
      throw invalid("", "not a JSON object (truncated or not a state file)");
    }
    return parse(json);
  }

  /** Writes {@code state}, which holds the changes up to audit record {@code auditSeq}. */
  public void save(OperatorState state, long auditSeq) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path temp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
    try {
      try (FileChannel channel =
          FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        byte[] bytes =
            state
                .toJson()
                .put("auditSeq", auditSeq)
                .encodePrettily()
                .getBytes(StandardCharsets.UTF_8);
        channel.write(ByteBuffer.wrap(bytes));
        channel.force(true);
      }
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      syncDirectory(dir);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /**
   * Deletes {@code <name>*.tmp} files that a save cut short by a crash left behind; returns how
   * many.
   */
  public int removeStaleTemporaryFiles() throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    int removed = 0;
    try (DirectoryStream<Path> temps =
        Files.newDirectoryStream(dir, glob(file.getFileName().toString()) + "*.tmp")) {
      for (Path temp : temps) {
        if (Files.isRegularFile(temp) && Files.deleteIfExists(temp)) {
          removed++;
        }
      }
    }
    if (removed > 0) {
      LOG.info("removed " + removed + " temporary state file(s) left by an interrupted save");
    }
    return removed;
  }

  private static String glob(String name) {
    return name.replaceAll("([*?\\[\\]{}\\\\])", "\\\\$1");
  }

  /** Makes the rename itself durable; not every file system allows opening a directory. */
  private static void syncDirectory(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException ignored) {
      // best effort
    }
  }

  private Saved parse(JsonObject json) throws ConfigException {
    unknownKeys(json, TOP_KEYS, "");
    Object version = json.getValue("version");
    if (!(version instanceof Integer v) || v != VERSION) {
      throw invalid("version", "must be " + VERSION + ", was " + version);
    }
    long auditSeq = 0;
    if (json.containsKey("auditSeq")) {
      Object seq = json.getValue("auditSeq");
      if (!(seq instanceof Integer || seq instanceof Long) || ((Number) seq).longValue() < 0) {
        throw invalid("auditSeq", "must be an integer >= 0, was " + seq);
      }
      auditSeq = ((Number) seq).longValue();
    }
    JsonObject services = object(json.getValue("services"), "services");
    Map<String, ServiceOverride> overrides = new LinkedHashMap<>();
    Map<String, List<ServiceOverride>> history = new LinkedHashMap<>();
    Map<String, JsonObject> rollouts = new LinkedHashMap<>();
    for (String service : services.fieldNames()) {
      String at = "services." + service;
      JsonObject entry = object(services.getValue(service), at);
      unknownKeys(entry, SERVICE_KEYS, at + ".");
      if (entry.containsKey("override")) {
        overrides.put(service, override(entry.getValue("override"), at + ".override"));
      }
      List<ServiceOverride> states = new ArrayList<>();
      Object previous = entry.getValue("history", new JsonArray());
      if (!(previous instanceof JsonArray list)) {
        throw invalid(at + ".history", "must be a list, was " + previous);
      }
      for (int i = 0; i < list.size(); i++) {
        Object state = list.getValue(i);
        // null is a recorded state too: "the config file's values"
        states.add(state == null ? null : override(state, at + ".history[" + i + "]"));
      }
      history.put(service, states);
      if (entry.containsKey("rollout")) {
        // Its fields are the rollout driver's to check at start (the router does not start on a bad
        // one).
        rollouts.put(service, object(entry.getValue("rollout"), at + ".rollout"));
      }
    }
    return new Saved(new OperatorState(overrides, history, rollouts), auditSeq);
  }

  private ServiceOverride override(Object value, String at) throws ConfigException {
    JsonObject json = object(value, at);
    unknownKeys(json, OVERRIDE_KEYS, at + ".");
    if (json.containsKey("weights") == json.containsKey("active")) {
      throw invalid(at, "must hold either weights or active, was " + json.encode());
    }
    if (json.containsKey("active")) {
      Object active = json.getValue("active");
      if (!(active instanceof String name) || name.isBlank()) {
        throw invalid(at + ".active", "must be a track name, was " + active);
      }
      return ServiceOverride.ofActive(name);
    }
    JsonObject weights = object(json.getValue("weights"), at + ".weights");
    Map<String, Integer> byTrack = new LinkedHashMap<>();
    for (String track : weights.fieldNames()) {
      Object weight = weights.getValue(track);
      if (!(weight instanceof Integer w)) {
        throw invalid(at + ".weights." + track, "must be an integer, was " + weight);
      }
      byTrack.put(track, w);
    }
    try {
      return ServiceOverride.ofWeights(byTrack);
    } catch (ConfigException e) {
      throw invalid("", e.under(at + ".weights").getMessage());
    }
  }

  private JsonObject object(Object value, String at) throws ConfigException {
    if (!(value instanceof JsonObject json)) {
      throw invalid(at, "must be a JSON object, was " + value);
    }
    return json;
  }

  private void unknownKeys(JsonObject json, Set<String> known, String prefix)
      throws ConfigException {
    for (String key : json.fieldNames()) {
      if (!known.contains(key)) {
        throw invalid(
            prefix + key, "unknown field (known: " + known.stream().sorted().toList() + ")");
      }
    }
  }

  private ConfigException invalid(String field, String problem) {
    return new ConfigException(source + (field.isEmpty() ? "" : ": " + field) + ": " + problem);
  }
}
