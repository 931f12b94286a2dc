package dev.infergate.modelserver.http;

import dev.infergate.modelserver.protocol.ProtocolException;
import dev.infergate.modelserver.repository.ModelRepository;
import dev.infergate.modelserver.repository.ModelVersion;
import dev.infergate.modelserver.repository.ServedModel;

/** Resolves the model and version a path names, or fails with a 404 that says which part is unknown. */
final class ModelLookup {
  private final ModelRepository repository;

  ModelLookup(ModelRepository repository) {
    this.repository = repository;
  }

  ServedModel model(String name) {
    return repository.model(name).orElseThrow(() -> ProtocolException.notFound("unknown model '" + name + "'"));
  }

  /** {@code version} null means the model's default (highest) version. */
  ModelVersion version(String name, String version) {
    ServedModel model = model(name);
    return model.version(version).orElseThrow(() -> ProtocolException.notFound(
        "model '" + name + "' has no version '" + version + "'; loaded versions: "
            + model.versions().stream().map(ModelVersion::version).toList()));
  }
}
