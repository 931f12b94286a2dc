package dev.infergate.router.shadow;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Whether a shadow's answer agrees with the live one (DESIGN.md "Agreement"). Pure; thread-safe.
 *
 * <p>V2 ({@code outputs}): for every output both answers carry (same name), BYTES, BOOL and integer
 * outputs are equal element by element; float outputs of shape {@code [n, k]} with {@code k > 1}
 * have the same argmax in every row; other float outputs differ by at most {@code tolerance *
 * max(1, |live|)}. A common output with another shape or datatype kind, or no output in common,
 * disagrees.
 *
 * <p>V1 ({@code predictions}): the same rules row by row on JSON values: strings, booleans and
 * integers equal; a list of numbers with a decimal among them, or an object whose values are such
 * numbers (a label → score map), as scores: the same argmax; other decimals within the tolerance;
 * lists element by element, objects key by key over the keys both carry (none in common disagrees).
 */
public final class Agreement {
  /** How a pair of answers compared. */
  public enum Verdict {
    AGREED,
    DISAGREED,
    NOT_COMPARABLE
  }

  /**
   * @param reason why not agreed (the first difference found), null when agreed
   */
  public record Result(Verdict verdict, String reason) {
    static final Result AGREED = new Result(Verdict.AGREED, null);

    static Result disagreed(String reason) {
      return new Result(Verdict.DISAGREED, reason);
    }

    static Result notComparable(String reason) {
      return new Result(Verdict.NOT_COMPARABLE, reason);
    }
  }

  /** Values shown in a reason are cut to this many characters: a reason is a hint, not a dump. */
  private static final int SHOWN_CHARS = 40;

  private enum Kind {
    FLOAT,
    INTEGER,
    BOOL,
    BYTES,
    UNKNOWN
  }

  private Agreement() {}

  /** KServe V2 answers: {@code {"outputs": [{"name", "datatype", "shape", "data"}...]}}. */
  public static Result v2(JsonObject live, JsonObject shadow, double tolerance) {
    if (!(live.getValue("outputs") instanceof JsonArray liveOutputs)) {
      return Result.notComparable("the live answer has no outputs");
    }
    if (!(shadow.getValue("outputs") instanceof JsonArray shadowOutputs)) {
      return Result.disagreed("the shadow answer has no outputs");
    }
    Map<String, JsonObject> byName = new HashMap<>();
    for (Object o : shadowOutputs) {
      if (o instanceof JsonObject out && out.getValue("name") instanceof String name) {
        byName.putIfAbsent(name, out);
      }
    }
    int common = 0;
    for (Object o : liveOutputs) {
      if (!(o instanceof JsonObject out) || !(out.getValue("name") instanceof String name)) {
        continue;
      }
      JsonObject other = byName.get(name);
      if (other == null) {
        continue;
      }
      common++;
      String difference = output(out, other, tolerance);
      if (difference != null) {
        return Result.disagreed("output '" + shown(name) + "' " + difference);
      }
    }
    return common == 0 ? Result.disagreed("no output in common") : Result.AGREED;
  }

  /** KServe V1 answers: {@code {"predictions": [row...]}}. */
  public static Result v1(JsonObject live, JsonObject shadow, double tolerance) {
    if (!(live.getValue("predictions") instanceof JsonArray liveRows)) {
      return Result.notComparable("the live answer has no predictions");
    }
    if (!(shadow.getValue("predictions") instanceof JsonArray shadowRows)) {
      return Result.disagreed("the shadow answer has no predictions");
    }
    if (liveRows.size() != shadowRows.size()) {
      return Result.disagreed("predictions: " + liveRows.size() + " rows vs " + shadowRows.size());
    }
    for (int i = 0; i < liveRows.size(); i++) {
      String difference = value(liveRows.getValue(i), shadowRows.getValue(i), tolerance);
      if (difference != null) {
        return Result.disagreed("predictions row " + i + difference);
      }
    }
    return Result.AGREED;
  }

  // ---- V2 outputs ----

  /** The difference between two outputs of the same name, or null when they agree. */
  private static String output(JsonObject live, JsonObject shadow, double tolerance) {
    List<Long> shape = shape(live.getValue("shape"));
    List<Long> shadowShape = shape(shadow.getValue("shape"));
    if (shape != null && shadowShape != null && !shape.equals(shadowShape)) {
      return "shape " + shape + " vs " + shadowShape;
    }
    List<Object> data = flatten(live.getValue("data"));
    List<Object> shadowData = flatten(shadow.getValue("data"));
    if (data.size() != shadowData.size()) {
      return "has " + data.size() + " elements vs " + shadowData.size();
    }
    Kind kind = kind(live.getValue("datatype"), data);
    Kind shadowKind = kind(shadow.getValue("datatype"), shadowData);
    if (kind != shadowKind && kind != Kind.UNKNOWN && shadowKind != Kind.UNKNOWN) {
      return "datatype "
          + shown(String.valueOf(live.getValue("datatype")))
          + " vs "
          + shown(String.valueOf(shadow.getValue("datatype")));
    }
    if (kind == Kind.FLOAT
        && shape != null
        && shape.size() == 2
        && shape.get(1) > 1
        && shape.get(0) * shape.get(1) == data.size()) {
      int k = (int) (long) shape.get(1);
      for (int row = 0; row * k < data.size(); row++) {
        int a = argmax(data.subList(row * k, row * k + k));
        int b = argmax(shadowData.subList(row * k, row * k + k));
        if (a != b) {
          return "row " + row + ": argmax " + a + " vs " + b;
        }
      }
      return null;
    }
    for (int i = 0; i < data.size(); i++) {
      Object l = data.get(i);
      Object s = shadowData.get(i);
      boolean same = kind == Kind.FLOAT ? withinTolerance(l, s, tolerance) : equal(l, s);
      if (!same) {
        return "element " + i + ": " + show(l) + " vs " + show(s);
      }
    }
    return null;
  }

  private static Kind kind(Object datatype, List<Object> data) {
    if (datatype instanceof String t) {
      switch (t) {
        case "FP16", "FP32", "FP64", "BF16" -> {
          return Kind.FLOAT;
        }
        case "INT8", "INT16", "INT32", "INT64", "UINT8", "UINT16", "UINT32", "UINT64" -> {
          return Kind.INTEGER;
        }
        case "BOOL" -> {
          return Kind.BOOL;
        }
        case "BYTES" -> {
          return Kind.BYTES;
        }
        default -> {}
      }
    }
    // No (known) datatype: judge by the values, as V1 does.
    return scores(data) ? Kind.FLOAT : Kind.UNKNOWN;
  }

  /** The shape as numbers, or null when it is absent or not a list of integers. */
  private static List<Long> shape(Object value) {
    if (!(value instanceof JsonArray a)) {
      return null;
    }
    List<Long> dims = new ArrayList<>(a.size());
    for (Object d : a) {
      if (!(d instanceof Integer || d instanceof Long)) {
        return null;
      }
      dims.add(((Number) d).longValue());
    }
    return dims;
  }

  /**
   * V2 allows {@code data} flat or nested in the shape: compare the elements in row-major order.
   */
  private static List<Object> flatten(Object data) {
    List<Object> out = new ArrayList<>();
    if (data instanceof JsonArray a) {
      flattenInto(a, out);
    } else if (data != null) {
      out.add(data);
    }
    return out;
  }

  private static void flattenInto(JsonArray a, List<Object> out) {
    for (int i = 0; i < a.size(); i++) {
      Object v = a.getValue(i);
      if (v instanceof JsonArray inner) {
        flattenInto(inner, out);
      } else {
        out.add(v);
      }
    }
  }

  // ---- V1 values ----

  /** The difference between two JSON values (with a leading path), or null when they agree. */
  private static String value(Object live, Object shadow, double tolerance) {
    if (live instanceof JsonArray l && shadow instanceof JsonArray s) {
      if (scores(l.getList()) && scores(s.getList()) && l.size() > 1 && l.size() == s.size()) {
        int a = argmax(l.getList());
        int b = argmax(s.getList());
        return a == b ? null : ": argmax " + a + " vs " + b;
      }
      if (l.size() != s.size()) {
        return ": " + l.size() + " elements vs " + s.size();
      }
      for (int i = 0; i < l.size(); i++) {
        String d = value(l.getValue(i), s.getValue(i), tolerance);
        if (d != null) {
          return "[" + i + "]" + d;
        }
      }
      return null;
    }
    if (live instanceof JsonObject l && shadow instanceof JsonObject s) {
      List<String> keys = new ArrayList<>();
      for (String k : l.fieldNames()) {
        if (s.containsKey(k)) {
          keys.add(k);
        }
      }
      if (keys.isEmpty()) {
        return ": no field in common";
      }
      if (keys.size() > 1
          && keys.size() == l.size()
          && keys.size() == s.size()
          && scoreMap(l)
          && scoreMap(s)) {
        String a = argmaxKey(l, keys);
        String b = argmaxKey(s, keys);
        return a.equals(b) ? null : ": highest score '" + shown(a) + "' vs '" + shown(b) + "'";
      }
      for (String k : keys) {
        String d = value(l.getValue(k), s.getValue(k), tolerance);
        if (d != null) {
          return "." + shown(k) + d;
        }
      }
      return null;
    }
    if (live instanceof Number l && shadow instanceof Number s) {
      boolean same = integral(l) && integral(s) ? equal(l, s) : withinTolerance(l, s, tolerance);
      return same ? null : ": " + show(l) + " vs " + show(s);
    }
    return equal(live, shadow) ? null : ": " + show(live) + " vs " + show(shadow);
  }

  /** Numbers only, at least one of them written with a decimal point or exponent. */
  private static boolean scores(List<?> values) {
    boolean decimal = false;
    for (Object v : values) {
      if (!(v instanceof Number n)) {
        return false;
      }
      decimal |= !integral(n);
    }
    return decimal;
  }

  private static boolean scoreMap(JsonObject o) {
    List<Object> values = new ArrayList<>(o.size());
    o.forEach(e -> values.add(e.getValue()));
    return scores(values);
  }

  private static String argmaxKey(JsonObject o, List<String> keys) {
    String best = null;
    double max = Double.NEGATIVE_INFINITY;
    for (String k : keys) {
      double v = ((Number) o.getValue(k)).doubleValue();
      if (best == null || v > max) {
        best = k;
        max = v;
      }
    }
    return best;
  }

  // ---- elements ----

  /** The index of the first largest number; non-numbers count as the lowest. */
  private static int argmax(List<?> row) {
    int best = 0;
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < row.size(); i++) {
      if (row.get(i) instanceof Number n && n.doubleValue() > max) {
        best = i;
        max = n.doubleValue();
      }
    }
    return best;
  }

  private static boolean withinTolerance(Object live, Object shadow, double tolerance) {
    if (!(live instanceof Number l) || !(shadow instanceof Number s)) {
      return equal(live, shadow);
    }
    double a = l.doubleValue();
    double b = s.doubleValue();
    if (Double.isNaN(a) || Double.isNaN(b)) {
      return Double.isNaN(a) && Double.isNaN(b);
    }
    return Math.abs(a - b) <= tolerance * Math.max(1.0, Math.abs(a));
  }

  /** Equal values; numbers by value (1 and 1L and 1.0 alike), whatever class the parser chose. */
  private static boolean equal(Object a, Object b) {
    if (a instanceof Number x && b instanceof Number y) {
      if (!Double.isFinite(x.doubleValue()) || !Double.isFinite(y.doubleValue())) {
        return Double.compare(x.doubleValue(), y.doubleValue()) == 0;
      }
      return decimal(x).compareTo(decimal(y)) == 0;
    }
    return a == null ? b == null : a.equals(b);
  }

  private static boolean integral(Number n) {
    return n instanceof Integer
        || n instanceof Long
        || n instanceof BigInteger
        || n instanceof Short
        || n instanceof Byte;
  }

  private static BigDecimal decimal(Number n) {
    if (n instanceof BigDecimal d) {
      return d;
    }
    if (n instanceof BigInteger i) {
      return new BigDecimal(i);
    }
    return integral(n) ? BigDecimal.valueOf(n.longValue()) : BigDecimal.valueOf(n.doubleValue());
  }

  private static String show(Object v) {
    return v instanceof String s ? "\"" + shown(s) + "\"" : shown(String.valueOf(v));
  }

  private static String shown(String s) {
    return s.length() <= SHOWN_CHARS ? s : s.substring(0, SHOWN_CHARS) + "...";
  }
}
