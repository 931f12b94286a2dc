package dev.infergate.http;

/**
 * The KServe path grammar both servers serve, one copy: the router matches a client's path with it
 * and the model server its inference paths, so the two cannot read one path two ways.
 *
 * <pre>
 *   /v2/models/{m}[/versions/{v}]( "" | /ready | /infer | /config | /stats )
 *   /v1/models/{m}[/versions/{v}]( :predict | "" )
 * </pre>
 *
 * {@code {m}} and {@code {v}} are names: a letter, digit or {@code _}, then letters, digits, {@code
 * .}, {@code _} or {@code -}, at most {@value #MAX_NAME} in all (the model repository's rule for
 * the directories a model server loads, so every model it can load has a path). They are matched as
 * sent: no percent-decoding. A name never needs an escape, and a path with one ({@code
 * /v2/models/ir%69s/infer}) is refused ({@link #refusal}, a 400) by both servers instead of being
 * decoded by one and not the other. Pure; thread-safe; immutable.
 *
 * @param version the version the path names, or null (the model's default, or the router's pin)
 */
public record KServePath(Protocol protocol, String model, String version, Operation operation) {
  /** The longest model or version name. */
  public static final int MAX_NAME = 128;

  public enum Protocol {
    V1,
    V2
  }

  /** What the path asks of the model, and the suffix that asks it. */
  public enum Operation {
    METADATA(""),
    READY("/ready"),
    INFER("/infer"),
    CONFIG("/config"),
    STATS("/stats"),
    PREDICT(":predict"),
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

    /** An inference: V2 {@code /infer} or V1 {@code :predict}. */
    public boolean inference() {
      return this == INFER || this == PREDICT;
    }
  }

  private static final String V2 = "/v2/models/";
  private static final String V1 = "/v1/models/";
  private static final String VERSIONS = "/versions/";
  private static final Operation[] V2_OPERATIONS = {
    Operation.READY, Operation.INFER, Operation.CONFIG, Operation.STATS
  };

  /** Whether the path named a version. */
  public boolean versioned() {
    return version != null;
  }

  /**
   * The KServe path that {@code path} (no query string) is, or null when it is not in the grammar.
   */
  public static KServePath parse(String path) {
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
    return op == null ? null : new KServePath(v2 ? Protocol.V2 : Protocol.V1, model, version, op);
  }

  /**
   * Why {@code path} (no query string) gets a 400 rather than a 404 when it is not in the grammar:
   * it has a percent-escape, which no name needs (malformed ones included). Null otherwise.
   */
  public static String refusal(String path) {
    return path.indexOf('%') < 0
        ? null
        : "the path has a percent-escape: model and version names are letters, digits, '.', '_' and '-' as they"
            + " are, never escaped";
  }

  /** Whether {@code name} is a model or version name of the grammar. */
  public static boolean isName(String name) {
    return name != null && nameEnd(name, 0) == name.length();
  }

  private static Operation operation(String path, int from, boolean v2) {
    int rest = path.length() - from;
    if (!v2) {
      if (rest == 0) {
        return Operation.STATUS;
      }
      return rest == Operation.PREDICT.suffix.length()
              && path.startsWith(Operation.PREDICT.suffix, from)
          ? Operation.PREDICT
          : null;
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
      boolean first =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
      if (!first && (i == start || (c != '.' && c != '-'))) {
        break;
      }
      i++;
    }
    int len = i - start;
    return len == 0 || len > MAX_NAME ? -1 : i;
  }
}
