package dev.infergate.modelserver.repository;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The loaded versions of one model, immutable: a reload builds a new one and swaps it in whole. The
 * default version (for requests that name none) is the highest.
 */
public final class ServedModel {
  /** Numeric versions in numeric order (2 before 10), others after them by name. */
  static final Comparator<String> VERSION_ORDER =
      Comparator.comparing((String v) -> !v.chars().allMatch(Character::isDigit))
          .thenComparing(
              (a, b) ->
                  a.chars().allMatch(Character::isDigit) && b.chars().allMatch(Character::isDigit)
                      ? new java.math.BigInteger(a).compareTo(new java.math.BigInteger(b))
                      : a.compareTo(b));

  private final String name;
  private final List<ModelVersion> versions;

  ServedModel(String name, List<ModelVersion> versions) {
    this.name = name;
    this.versions =
        versions.stream()
            .sorted(Comparator.comparing(ModelVersion::version, VERSION_ORDER))
            .toList();
  }

  public String name() {
    return name;
  }

  public List<ModelVersion> versions() {
    return versions;
  }

  public ModelVersion defaultVersion() {
    return versions.get(versions.size() - 1);
  }

  /** The named version, or the default one when {@code version} is null. */
  public Optional<ModelVersion> version(String version) {
    if (version == null) {
      return Optional.of(defaultVersion());
    }
    return versions.stream().filter(v -> v.version().equals(version)).findFirst();
  }

  void unload() {
    versions.forEach(version -> version.unload(() -> {}));
  }
}
