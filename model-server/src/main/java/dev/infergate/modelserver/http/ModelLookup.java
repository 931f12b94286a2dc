package dev.infergate.modelserver.http;

import dev.infergate.modelserver.protocol.ProtocolException;
import dev.infergate.modelserver.repository.ModelRepository;
import dev.infergate.modelserver.repository.ModelVersion;
import dev.infergate.modelserver.repository.ServedModel;
import dev.infergate.modelserver.repository.VersionStatus;
import java.util.Optional;

/**
 * Resolves the model and version a path names, or fails with a 404 that says which part is unknown.
 */
final class ModelLookup {
  private final ModelRepository repository;

  ModelLookup(ModelRepository repository) {
    this.repository = repository;
  }

  ServedModel model(String name) {
    return repository
        .model(name)
        .orElseThrow(
            () ->
                ProtocolException.notFound(
                    repository
                        .notServing(name, null)
                        .map(
                            status ->
                                "model '"
                                    + name
                                    + "' is "
                                    + status.state()
                                    + ": "
                                    + (status.version() == null
                                        ? ""
                                        : "version " + status.version() + ": ")
                                    + Errors.forClient(status.reason()))
                        .orElse("unknown model '" + name + "'")));
  }

  /**
   * Why {@code name}'s {@code version} (null: its default) is not serving, when the repository
   * knows it.
   */
  Optional<VersionStatus> notServing(String name, String version) {
    return repository.notServing(name, version);
  }

  /** {@code version} null means the model's default (highest) version. */
  ModelVersion version(String name, String version) {
    ServedModel model = model(name);
    return model
        .version(version)
        .orElseThrow(
            () ->
                ProtocolException.notFound(
                    "model '"
                        + name
                        + "' has no version '"
                        + version
                        + "'; loaded versions: "
                        + model.versions().stream().map(ModelVersion::version).toList()));
  }
}
