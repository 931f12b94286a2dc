package dev.infergate.router.config;

/** How a service splits traffic between its tracks. */
public enum Strategy {
  /** Sticky weighted split, weights per track summing to 100. */
  CANARY("canary"),
  /** Everything to the {@code active} track; the others only by override. */
  BLUE_GREEN("blue-green");

  private final String yamlName;

  Strategy(String yamlName) {
    this.yamlName = yamlName;
  }

  public String yamlName() {
    return yamlName;
  }

  static Strategy fromYaml(String value) {
    for (Strategy s : values()) {
      if (s.yamlName.equals(value)) {
        return s;
      }
    }
    return null;
  }
}
