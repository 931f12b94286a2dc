package dev.infergate.modelserver.repository;

import dev.infergate.modelserver.batching.BatchPolicy;
import dev.infergate.modelserver.batching.BatchTimer;
import dev.infergate.modelserver.runtime.SessionFactory;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.Executor;
import dev.infergate.modelserver.config.ConfigException;
import dev.infergate.modelserver.runtime.ModelLoadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Triton-style model repository: {@code <root>/<name>/<version>/model.onnx} with an optional
 * {@code <root>/<name>/config.yaml}. Lookups are lock-free; load and unload are serialised and
 * blocking (call them from worker threads). A reload swaps all versions of a model at once, and a
 * failed reload leaves the old versions serving.
 */
public final class ModelRepository {
  private static final Logger LOG = Logger.getLogger(ModelRepository.class.getName());
  /** Model and version names become path segments: nothing that could climb out of the root. */
  private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");

  private final Path root;
  private final BatchPolicy defaults;
  private final ModelLoader loader;
  private final Map<String, ServedModel> models = new ConcurrentHashMap<>();

  public ModelRepository(Path root, BatchPolicy defaults, SessionFactory sessions, MeterRegistry registry,
      Executor inferenceWorkers, BatchTimer timer) {
    this.root = root;
    this.defaults = defaults;
    this.loader = new ModelLoader(sessions, registry, inferenceWorkers, timer);
  }

  public static boolean isSafeName(String name) {
    return name != null && SAFE_NAME.matcher(name).matches() && !name.contains("..");
  }

  /** Loads every model found under the root; any failure is fatal at start. */
  public void loadAll() throws ModelLoadException {
    List<String> names = modelNamesOnDisk();
    if (names.isEmpty()) {
      throw new ModelLoadException("no models under " + root.toAbsolutePath()
          + " (expected <name>/<version>/model.onnx)");
    }
    for (String name : names) {
      load(name);
    }
  }

  /** (Re)loads all versions of {@code name} from disk, then swaps them in and drains the old ones. */
  public ServedModel load(String name) throws ModelLoadException {
    return reload(name).model();
  }

  /**
   * What a (re)load did: the model as now served, and each version that served before but is not on
   * disk any more (its directory or its {@code model.onnx} is gone), with why, so that dropping a
   * version is never silent.
   */
  public record Reloaded(ServedModel model, Map<String, String> dropped) {}

  /** {@link #load}, saying which previously served versions the reload dropped and why. */
  public synchronized Reloaded reload(String name) throws ModelLoadException {
    if (!isSafeName(name)) {
      throw new ModelLoadException("invalid model name '" + name + "'");
    }
    Path modelDir = root.resolve(name);
    List<String> versions = versionsOnDisk(modelDir);
    if (versions.isEmpty()) {
      throw new ModelLoadException("model '" + name + "' has no versions under " + modelDir
          + " (expected " + name + "/<version>/" + ModelLoader.MODEL_FILE + ")");
    }
    ModelConfig config;
    try {
      config = ModelConfig.load(modelDir, defaults);
    } catch (ConfigException e) {
      throw new ModelLoadException(e.getMessage(), e);
    }
    List<ModelVersion> loaded = new ArrayList<>();
    try {
      for (String version : versions) {
        loaded.add(loader.load(name, version, modelDir.resolve(version), config));
        LOG.info("loaded " + name + "/" + version + " on " + loaded.get(loaded.size() - 1).executionProvider());
      }
    } catch (ModelLoadException | RuntimeException e) {
      loaded.forEach(version -> version.unload(() -> {}));
      throw e instanceof ModelLoadException load ? load : new ModelLoadException(e.getMessage(), e);
    }
    ServedModel served = new ServedModel(name, loaded);
    ServedModel previous = models.put(name, served);
    Map<String, String> dropped = new java.util.LinkedHashMap<>();
    if (previous != null) {
      for (ModelVersion old : previous.versions()) {
        if (!versions.contains(old.version())) {
          Path versionDir = modelDir.resolve(old.version());
          String reason = Files.isDirectory(versionDir)
              ? "its " + ModelLoader.MODEL_FILE + " is missing"
              : "its directory is gone";
          dropped.put(old.version(), reason);
          LOG.warning("reloading " + name + " dropped version " + old.version() + ": " + reason + " ("
              + versionDir.resolve(ModelLoader.MODEL_FILE) + ")");
        }
      }
      previous.unload();
    }
    return new Reloaded(served, Map.copyOf(dropped));
  }

  /** Stops serving {@code name}; queued requests still finish. Returns false when it was not loaded. */
  public synchronized boolean unload(String name) {
    ServedModel removed = models.remove(name);
    if (removed == null) {
      return false;
    }
    removed.unload();
    return true;
  }

  public Optional<ServedModel> model(String name) {
    return Optional.ofNullable(models.get(name));
  }

  public List<ServedModel> loadedModels() {
    return models.values().stream().sorted(Comparator.comparing(ServedModel::name)).toList();
  }

  /** Every model on disk or loaded, with each version's state, for the repository index API. */
  public List<IndexEntry> index() {
    List<IndexEntry> entries = new ArrayList<>();
    List<String> names = new ArrayList<>(modelNamesOnDisk());
    models.keySet().stream().filter(name -> !names.contains(name)).forEach(names::add);
    names.sort(Comparator.naturalOrder());
    for (String name : names) {
      ServedModel served = models.get(name);
      if (served == null) {
        entries.add(new IndexEntry(name, null, "UNAVAILABLE", "unloaded"));
      } else {
        served.versions().forEach(v -> entries.add(new IndexEntry(name, v.version(), "READY", "")));
      }
    }
    return entries;
  }

  /** One row of {@code POST /v2/repository/index}. */
  public record IndexEntry(String name, String version, String state, String reason) {}

  private List<String> modelNamesOnDisk() {
    return listDirectories(root).stream()
        .filter(name -> isSafeName(name) && !versionsOnDisk(root.resolve(name)).isEmpty())
        .toList();
  }

  private static List<String> versionsOnDisk(Path modelDir) {
    return listDirectories(modelDir).stream()
        .filter(version -> isSafeName(version) && Files.isRegularFile(modelDir.resolve(version).resolve(ModelLoader.MODEL_FILE)))
        .sorted(ServedModel.VERSION_ORDER)
        .toList();
  }

  private static List<String> listDirectories(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> children = Files.list(dir)) {
      return children.filter(Files::isDirectory).map(path -> path.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      LOG.warning("cannot list " + dir + ": " + e.getMessage());
      return List.of();
    }
  }
}
