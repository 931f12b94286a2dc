package dev.infergate.modelserver.repository;

/**
 * Where a model version is in its life, as Triton names the states: the repository index and model
 * readiness report it. Only {@link #READY} serves; {@link #UNAVAILABLE} always comes with a reason
 * ({@link VersionStatus#reason()}).
 */
public enum VersionState {
  /** Being read from disk and warmed up; not serving yet. */
  LOADING,
  /** Loaded, warmed up and serving. */
  READY,
  /** Not serving: its load failed, or it was unloaded; the reason says which. */
  UNAVAILABLE
}
