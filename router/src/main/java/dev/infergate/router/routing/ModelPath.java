package dev.infergate.router.routing;

/**
 * A request path in the grammar of what a model server serves, and nothing else:
 * <pre>
 *   /v2/models/{m}[/versions/{v}]( "" | /ready | /infer | /config | /stats )
 *   /v1/models/{m}[/versions/{v}]( :predict | "" )
 * </pre>
 * {@code {m}} and {@code {v}} are names: a letter or digit, then letters, digits, {@code .},
 * {@code _} or {@code -}, at most 64 in all (the config's rule for model and version names). The
 * router sends upstream a path rebuilt from these parts ({@link TrackRoute#upstreamUri}), never the
 * client's bytes. Immutable.
 *
 * @param version the version the client named, or null (then the track's pin applies)
 */
public record ModelPath(Protocol protocol, String model, String version, Operation operation) {
  public enum Protocol { V1, V2 }

  /** What the path asks of the model, and the suffix that asks it upstream. */
  public enum Operation {
    METADATA(""), READY("/ready"), INFER("/infer"), CONFIG("/config"), STATS("/stats"), PREDICT(":predict"),
    /** KServe V1 {@code GET /v1/models/{m}[/versions/{v}]}: the model's (version's) readiness. */
    STATUS("");

    private final String suffix;

    Operation(String suffix) {
      this.suffix = suffix;
    }

    public String suffix() {
      return suffix;
    }

    /** Only reads: a client may GET them, never change anything through them. */
    public boolean readOnly() {
      return this == CONFIG || this == STATS || this == STATUS;
    }
  }

  private static final String V2 = "/v2/models/";
  private static final String V1 = "/v1/models/";
  private static final String VERSIONS = "/versions/";
  private static final int MAX_NAME = 64;
  private static final Operation[] V2_OPERATIONS = {
      Operation.READY, Operation.INFER, Operation.CONFIG, Operation.STATS};

  /** Whether the client named a version itself. */
  public boolean versioned() {
    return version != null;
  }

  /** The model path that {@code path} (no query string) is, or null when it is not in the grammar. */
  public static ModelPath parse(String path) {
    boolean v2 = path.startsWith(V2);
    if (!v2 && !path.startsWith(V1)) {
      return null;
    }
    int start = V2.length(); // == V1.length()
    int end = nameEnd(path, start);
    if (end < 0) {
      return null;
    }
    String model = path.substring(start, end);
    String version = null;
    if (path.startsWith(VERSIONS, end)) {
      int vStart = end + VERSIONS.length();
      end = nameEnd(path, vStart);
      if (end < 0) {
        return null;
      }
      version = path.substring(vStart, end);
    }
    Operation op = operation(path, end, v2);
    return op == null ? null : new ModelPath(v2 ? Protocol.V2 : Protocol.V1, model, version, op);
  }

  private static Operation operation(String path, int from, boolean v2) {
    int rest = path.length() - from;
    if (!v2) {
      if (rest == 0) {
        return Operation.STATUS;
      }
      return rest == Operation.PREDICT.suffix.length() && path.startsWith(Operation.PREDICT.suffix, from)
          ? Operation.PREDICT : null;
    }
    if (rest == 0) {
      return Operation.METADATA;
    }
    for (Operation op : V2_OPERATIONS) {
      if (rest == op.suffix.length() && path.startsWith(op.suffix, from)) {
        return op;
      }
    }
    return null;
  }

  /** The end of the name that starts at {@code start}, or -1 when there is no valid name there. */
  private static int nameEnd(String path, int start) {
    int i = start;
    while (i < path.length() && i - start <= MAX_NAME) {
      char c = path.charAt(i);
      boolean alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (!alnum && (i == start || (c != '.' && c != '_' && c != '-'))) {
        break;
      }
      i++;
    }
    int len = i - start;
    return len == 0 || len > MAX_NAME ? -1 : i;
  }
}
