package dev.infergate.modelserver.repository;

import dev.infergate.modelserver.batching.BatchTimer;
import dev.infergate.modelserver.config.BatchPolicy;
import dev.infergate.modelserver.config.ConfigException;
import dev.infergate.modelserver.runtime.ModelLoadException;
import dev.infergate.modelserver.runtime.SessionFactory;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Triton-style model repository: {@code <root>/<name>/<version>/model.onnx} with an optional
 * {@code <root>/<name>/config.yaml}. Lookups are lock-free; load and unload are serialised and
 * blocking (call them from worker threads). A reload swaps all versions of a model at once, and a
 * failed reload leaves the old versions serving.
 *
 * <p>Failure isolation: a model serves all its versions or none. One that fails to load is logged
 * (name, file, cause) and listed {@link VersionState#UNAVAILABLE} with the reason in {@link
 * #index()} and {@link #status}, and the other models serve; {@link #loadAll(boolean) strict}
 * start-up stops at it instead.
 */
public final class ModelRepository {
  private static final Logger LOG = Logger.getLogger(ModelRepository.class.getName());

  /** Model and version names become path segments: nothing that could climb out of the root. */
  private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");

  static final String UNLOADED = "unloaded";
  private static final String COLLATERAL = "loads, but version ";

  private final Path root;
  private final BatchPolicy defaults;
  private final ModelLoader loader;
  private final Map<String, ServedModel> models = new ConcurrentHashMap<>();

  /** The outcome of each model's last failed load, until a load succeeds or it is unloaded. */
  private final Map<String, List<VersionStatus>> failures = new ConcurrentHashMap<>();

  private final Set<String> loading = ConcurrentHashMap.newKeySet();

  public ModelRepository(
      Path root,
      BatchPolicy defaults,
      SessionFactory sessions,
      MeterRegistry registry,
      Executor inferenceWorkers,
      BatchTimer timer) {
    this.root = root;
    this.defaults = defaults;
    this.loader = new ModelLoader(sessions, registry, inferenceWorkers, timer);
  }

  public static boolean isSafeName(String name) {
    return name != null && SAFE_NAME.matcher(name).matches() && !name.contains("..");
  }

  /**
   * Loads every model under the root, failing at the first bad one (the fail-fast start of {@code
   * --strict}).
   */
  public void loadAll() throws ModelLoadException {
    loadAll(true);
  }

  /**
   * Loads every model under the root. An empty root is always fatal (a wrong {@code --models}
   * path). With {@code strict}, the first model that fails to load is fatal; without, it is logged
   * and listed UNAVAILABLE, and the others load.
   */
  public void loadAll(boolean strict) throws ModelLoadException {
    List<String> names = modelNamesOnDisk();
    if (names.isEmpty()) {
      throw new ModelLoadException(
          "no models under " + root.toAbsolutePath() + " (expected <name>/<version>/model.onnx)");
    }
    List<String> unavailable = new ArrayList<>();
    for (String name : names) {
      try {
        load(name);
      } catch (ModelLoadException e) {
        if (strict) {
          throw new ModelLoadException(
              e.getMessage() + " (--strict: a model that fails to load stops the start)", e);
        }
        unavailable.add(name);
      }
    }
    if (!unavailable.isEmpty()) {
      LOG.warning(
          (names.size() - unavailable.size())
              + " of "
              + names.size()
              + " models serve; UNAVAILABLE: "
              + unavailable
              + " (POST /v2/repository/index on the admin listener has the reasons; --strict"
              + " makes a failed model stop the start)");
    }
  }

  /**
   * (Re)loads all versions of {@code name} from disk, then swaps them in and drains the old ones.
   */
  public ServedModel load(String name) throws ModelLoadException {
    return reload(name).model();
  }

  /**
   * What a (re)load did: the model as now served, and each version that served before but is not on
   * disk any more (its directory or its {@code model.onnx} is gone), with why, so that dropping a
   * version is never silent.
   */
  public record Reloaded(ServedModel model, Map<String, String> dropped) {}

  /**
   * {@link #load}, saying which previously served versions the reload dropped and why. On failure
   * the exception names the model and every version that failed, with the reason (the log also has
   * the file and ONNX Runtime's full text), and the index lists them UNAVAILABLE.
   */
  public synchronized Reloaded reload(String name) throws ModelLoadException {
    if (!isSafeName(name)) {
      throw new ModelLoadException("invalid model name '" + name + "'");
    }
    loading.add(name);
    try {
      return reloadVersions(name, root.resolve(name));
    } finally {
      loading.remove(name);
    }
  }

  private Reloaded reloadVersions(String name, Path modelDir) throws ModelLoadException {
    List<String> versions = versionsOnDisk(modelDir);
    if (versions.isEmpty()) {
      List<String> empty =
          listDirectories(modelDir).stream().filter(ModelRepository::isSafeName).toList();
      String reason =
          Files.isDirectory(modelDir)
              ? "no versions: expected "
                  + name
                  + "/<version>/"
                  + ModelLoader.MODEL_FILE
                  + (empty.isEmpty() ? "" : "; " + empty + " hold no " + ModelLoader.MODEL_FILE)
              : "not in the repository: expected " + name + "/<version>/" + ModelLoader.MODEL_FILE;
      throw failed(name, modelDir, List.of(VersionStatus.unavailable(null, reason)), null);
    }
    ModelConfig config;
    try {
      config = ModelConfig.load(modelDir, defaults);
    } catch (ConfigException e) {
      throw failed(name, modelDir, List.of(VersionStatus.unavailable(null, e.getMessage())), e);
    }
    List<ModelVersion> loaded = new ArrayList<>();
    List<VersionStatus> failed = new ArrayList<>();
    Throwable firstCause = null;
    for (String version : versions) {
      Path file = modelDir.resolve(version).resolve(ModelLoader.MODEL_FILE);
      try {
        loaded.add(loader.load(name, version, modelDir.resolve(version), config));
        LOG.info(
            "loaded "
                + name
                + "/"
                + version
                + " on "
                + loaded.get(loaded.size() - 1).executionProvider());
      } catch (ModelLoadException | RuntimeException e) {
        String reason = LoadFailures.reason(file, e.getMessage());
        // The cause's own text once (ONNX Runtime's names the C++ check); a stack trace only for a
        // bug of ours.
        String detail = reason.equals(e.getMessage()) ? "" : " [" + e.getMessage() + "]";
        LOG.log(
            Level.WARNING,
            "model '"
                + name
                + "' version "
                + version
                + " failed to load from "
                + file.toAbsolutePath()
                + ": "
                + reason
                + detail,
            e instanceof RuntimeException ? e : null);
        failed.add(VersionStatus.unavailable(version, reason));
        firstCause = firstCause == null ? e : firstCause;
      }
    }
    if (!failed.isEmpty()) {
      loaded.forEach(version -> version.unload(() -> {}));
      List<VersionStatus> statuses = new ArrayList<>(failed);
      for (String version : versions) {
        if (failed.stream().noneMatch(f -> version.equals(f.version()))) {
          statuses.add(
              VersionStatus.unavailable(
                  version,
                  COLLATERAL
                      + failed.get(0).version()
                      + " does not, and a model serves all its versions or none"));
        }
      }
      throw failed(name, modelDir, statuses, firstCause);
    }
    failures.remove(name);
    ServedModel served = new ServedModel(name, loaded);
    ServedModel previous = models.put(name, served);
    Map<String, String> dropped = new LinkedHashMap<>();
    if (previous != null) {
      for (ModelVersion old : previous.versions()) {
        if (!versions.contains(old.version())) {
          Path versionDir = modelDir.resolve(old.version());
          String reason =
              Files.isDirectory(versionDir)
                  ? "its " + ModelLoader.MODEL_FILE + " is missing"
                  : "its directory is gone";
          dropped.put(old.version(), reason);
          LOG.warning(
              "reloading "
                  + name
                  + " dropped version "
                  + old.version()
                  + ": "
                  + reason
                  + " ("
                  + versionDir.resolve(ModelLoader.MODEL_FILE)
                  + ")");
        }
      }
      previous.unload();
    }
    return new Reloaded(served, Map.copyOf(dropped));
  }

  /**
   * Records and logs a failed load of {@code name}; the exception's message names the model and the
   * reasons.
   */
  private ModelLoadException failed(
      String name, Path modelDir, List<VersionStatus> statuses, Throwable cause) {
    failures.put(
        name,
        statuses.stream()
            .sorted(
                Comparator.comparing(
                    (VersionStatus s) -> s.version() == null ? "" : s.version(),
                    ServedModel.VERSION_ORDER))
            .toList());
    String reasons =
        String.join(
            "; ",
            statuses.stream()
                .filter(s -> !isCollateral(s))
                .map(s -> (s.version() == null ? "" : "version " + s.version() + ": ") + s.reason())
                .toList());
    String text = "model '" + name + "' failed to load: " + reasons;
    LOG.warning(
        text
            + " ("
            + modelDir.toAbsolutePath()
            + ")"
            + (models.containsKey(name)
                ? "; its previously loaded versions keep serving"
                : "; it is UNAVAILABLE"));
    return new ModelLoadException(text, cause);
  }

  /** A version that loaded but does not serve because another version of its model failed. */
  private static boolean isCollateral(VersionStatus status) {
    return status.reason().startsWith(COLLATERAL);
  }

  /**
   * Stops serving {@code name}; queued requests still finish. Returns false when it was not loaded.
   */
  public synchronized boolean unload(String name) {
    ServedModel removed = models.remove(name);
    if (removed == null) {
      return false;
    }
    failures.remove(name);
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
      statuses(name)
          .forEach(
              status ->
                  entries.add(
                      new IndexEntry(name, status.version(), status.state(), status.reason())));
    }
    return entries;
  }

  /**
   * The state of {@code name}'s version {@code version} (its default version when null) when it is
   * not serving, for readiness: LOADING, or UNAVAILABLE with the reason. Empty when it serves, or
   * when the repository knows no such model or version.
   */
  public Optional<VersionStatus> notServing(String name, String version) {
    ServedModel served = models.get(name);
    if (served != null && served.version(version).isPresent()) {
      return Optional.empty();
    }
    if (!isSafeName(name)
        || (served == null
            && !failures.containsKey(name)
            && !loading.contains(name)
            && !Files.isDirectory(root.resolve(name)))) {
      return Optional.empty();
    }
    List<VersionStatus> statuses = statuses(name);
    if (version != null) {
      // That version's own state, else the whole model's (loading, unloaded, a bad config file).
      return statuses.stream()
          .filter(s -> version.equals(s.version()) && s.state() != VersionState.READY)
          .findFirst()
          .or(() -> statuses.stream().filter(s -> s.version() == null).findFirst());
    }
    return statuses.stream().filter(s -> s.state() != VersionState.READY).findFirst();
  }

  private List<VersionStatus> statuses(String name) {
    ServedModel served = models.get(name);
    List<VersionStatus> failed = failures.getOrDefault(name, List.of());
    List<VersionStatus> statuses = new ArrayList<>();
    if (loading.contains(name) && served == null) {
      statuses.add(VersionStatus.loading(null));
      return statuses;
    }
    if (served == null) {
      statuses.addAll(
          failed.isEmpty() ? List.of(VersionStatus.unavailable(null, UNLOADED)) : failed);
      return statuses;
    }
    // A failed reload of a served model: the old versions serve; those it could not load are listed
    // too.
    served.versions().forEach(v -> statuses.add(VersionStatus.ready(v.version())));
    failed.stream()
        .filter(
            f -> f.version() != null && served.version(f.version()).isEmpty() && !isCollateral(f))
        .forEach(statuses::add);
    return statuses;
  }

  /** One row of {@code POST /v2/repository/index}. */
  public record IndexEntry(String name, String version, VersionState state, String reason) {}

  /** Every directory under the root with a safe name: each is a model, loadable or not. */
  private List<String> modelNamesOnDisk() {
    return listDirectories(root).stream().filter(ModelRepository::isSafeName).toList();
  }

  private static List<String> versionsOnDisk(Path modelDir) {
    return listDirectories(modelDir).stream()
        .filter(
            version ->
                isSafeName(version)
                    && Files.isRegularFile(
                        modelDir.resolve(version).resolve(ModelLoader.MODEL_FILE)))
        .sorted(ServedModel.VERSION_ORDER)
        .toList();
  }

  private static List<String> listDirectories(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> children = Files.list(dir)) {
      return children
          .filter(Files::isDirectory)
          .map(path -> path.getFileName().toString())
          .sorted()
          .toList();
    } catch (IOException e) {
      LOG.warning("cannot list " + dir + ": " + e.getMessage());
      return List.of();
    }
  }
}
