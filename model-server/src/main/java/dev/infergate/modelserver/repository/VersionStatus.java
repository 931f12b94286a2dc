package dev.infergate.modelserver.repository;

/**
 * The state of one version of a model, as the repository index and readiness show it.
 *
 * @param version the version, or null when the state is the whole model's (no versions on disk, a
 *     bad {@code config.yaml}, unloaded)
 * @param reason why it is {@link VersionState#UNAVAILABLE}, in words a client may read (no file
 *     paths); empty otherwise
 */
public record VersionStatus(String version, VersionState state, String reason) {
  public VersionStatus {
    if (state == null) {
      throw new IllegalArgumentException("state must be set");
    }
    reason = reason == null ? "" : reason;
    if (state == VersionState.UNAVAILABLE && reason.isEmpty()) {
      throw new IllegalArgumentException("an UNAVAILABLE version needs a reason");
    }
  }

  static VersionStatus ready(String version) {
    return new VersionStatus(version, VersionState.READY, "");
  }

  static VersionStatus loading(String version) {
    return new VersionStatus(version, VersionState.LOADING, "");
  }

  static VersionStatus unavailable(String version, String reason) {
    return new VersionStatus(version, VersionState.UNAVAILABLE, reason);
  }
}
