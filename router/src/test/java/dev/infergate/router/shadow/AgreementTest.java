package dev.infergate.router.shadow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.router.shadow.Agreement.Verdict;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** Every rule of DESIGN.md's "Agreement", one behaviour per test. */
class AgreementTest {
  private static final double TOLERANCE = 0.001;

  private static String output(String name, String datatype, String shape, String data) {
    return "{\"name\":\""
        + name
        + "\",\"datatype\":\""
        + datatype
        + "\",\"shape\":"
        + shape
        + ",\"data\":"
        + data
        + "}";
  }

  private static JsonObject v2(String... outputs) {
    return new JsonObject(
        "{\"model_name\":\"iris\",\"outputs\":[" + String.join(",", outputs) + "]}");
  }

  private static Agreement.Result compareV2(JsonObject live, JsonObject shadow) {
    return Agreement.v2(live, shadow, TOLERANCE);
  }

  private static Agreement.Result compareV1(String live, String shadow) {
    return Agreement.v1(new JsonObject(live), new JsonObject(shadow), TOLERANCE);
  }

  @Test
  void equalLabelsAgree() {
    JsonObject a = v2(output("label", "BYTES", "[2]", "[\"setosa\",\"virginica\"]"));
    assertEquals(Verdict.AGREED, compareV2(a, a.copy()).verdict());
  }

  @Test
  void aDifferentLabelInAnyRowDisagreesAndSaysWhere() {
    Agreement.Result r =
        compareV2(
            v2(output("label", "BYTES", "[2]", "[\"setosa\",\"virginica\"]")),
            v2(output("label", "BYTES", "[2]", "[\"setosa\",\"versicolor\"]")));
    assertEquals(Verdict.DISAGREED, r.verdict());
    assertEquals("output 'label' element 1: \"virginica\" vs \"versicolor\"", r.reason());
  }

  @Test
  void integersMustBeEqualExactlyWhateverTheTolerance() {
    JsonObject live = v2(output("class", "INT64", "[3]", "[0,2,1]"));
    assertEquals(
        Verdict.AGREED, compareV2(live, v2(output("class", "INT32", "[3]", "[0,2,1]"))).verdict());
    Agreement.Result r = Agreement.v2(live, v2(output("class", "INT64", "[3]", "[0,2,2]")), 1.0);
    assertEquals(Verdict.DISAGREED, r.verdict());
    assertEquals("output 'class' element 2: 1 vs 2", r.reason());
  }

  @Test
  void boolsMustBeEqual() {
    JsonObject live = v2(output("fraud", "BOOL", "[2]", "[true,false]"));
    assertEquals(Verdict.AGREED, compareV2(live, live.copy()).verdict());
    assertEquals(
        Verdict.DISAGREED,
        compareV2(live, v2(output("fraud", "BOOL", "[2]", "[true,true]"))).verdict());
  }

  @Test
  void twoDimensionalFloatScoresAgreeWhenEveryRowHasTheSameArgmax() {
    JsonObject live = v2(output("output", "FP32", "[2,3]", "[0.1,0.8,0.1, 0.7,0.2,0.1]"));
    // Far apart in value, same winner per row: a retrained model that agrees.
    JsonObject shadow = v2(output("output", "FP32", "[2,3]", "[0.3,0.4,0.3, 0.5,0.4,0.1]"));
    assertEquals(Verdict.AGREED, compareV2(live, shadow).verdict());
  }

  @Test
  void twoDimensionalFloatScoresDisagreeWhenARowsArgmaxMoves() {
    JsonObject live = v2(output("output", "FP32", "[2,3]", "[0.1,0.8,0.1, 0.7,0.2,0.1]"));
    JsonObject shadow = v2(output("output", "FP32", "[2,3]", "[0.1,0.8,0.1, 0.2,0.7,0.1]"));
    Agreement.Result r = compareV2(live, shadow);
    assertEquals(Verdict.DISAGREED, r.verdict());
    assertEquals("output 'output' row 1: argmax 0 vs 1", r.reason());
  }

  @Test
  void nestedDataIsReadInRowMajorOrderLikeFlatData() {
    JsonObject flat = v2(output("output", "FP32", "[2,2]", "[0.9,0.1,0.2,0.8]"));
    JsonObject nested = v2(output("output", "FP32", "[2,2]", "[[0.9,0.1],[0.2,0.8]]"));
    assertEquals(Verdict.AGREED, compareV2(flat, nested).verdict());
  }

  @Test
  void otherFloatsAgreeWithinTheRelativeTolerance() {
    JsonObject live = v2(output("price", "FP64", "[3]", "[1000.0, 0.5, 0.0]"));
    // 1000 ± 1 (0.001 × 1000), 0.5 ± 0.001 (0.001 × max(1, 0.5)), 0 ± 0.001.
    JsonObject within = v2(output("price", "FP64", "[3]", "[1000.9, 0.5009, -0.001]"));
    assertEquals(Verdict.AGREED, compareV2(live, within).verdict());
    Agreement.Result r = compareV2(live, v2(output("price", "FP64", "[3]", "[1001.1, 0.5, 0.0]")));
    assertEquals(Verdict.DISAGREED, r.verdict());
    assertEquals("output 'price' element 0: 1000.0 vs 1001.1", r.reason());
    assertEquals(
        Verdict.DISAGREED,
        compareV2(live, v2(output("price", "FP64", "[3]", "[1000.0, 0.502, 0.0]"))).verdict());
  }

  @Test
  void aSingleColumnOfFloatsIsComparedByToleranceNotArgmax() {
    // [n, 1]: argmax of one column says nothing, so the values count.
    JsonObject live = v2(output("score", "FP32", "[2,1]", "[0.2,0.9]"));
    assertEquals(
        Verdict.DISAGREED,
        compareV2(live, v2(output("score", "FP32", "[2,1]", "[0.3,0.9]"))).verdict());
  }

  @Test
  void aShapeMismatchOnACommonOutputDisagrees() {
    Agreement.Result r =
        compareV2(
            v2(output("output", "FP32", "[1,3]", "[0.1,0.8,0.1]")),
            v2(output("output", "FP32", "[3]", "[0.1,0.8,0.1]")));
    assertEquals(Verdict.DISAGREED, r.verdict());
    assertEquals("output 'output' shape [1, 3] vs [3]", r.reason());
  }

  @Test
  void aDatatypeOfAnotherKindDisagrees() {
    Agreement.Result r =
        compareV2(
            v2(output("label", "BYTES", "[1]", "[\"1\"]")),
            v2(output("label", "INT64", "[1]", "[1]")));
    assertEquals(Verdict.DISAGREED, r.verdict());
    assertTrue(r.reason().contains("datatype BYTES vs INT64"), r.reason());
  }

  @Test
  void noOutputInCommonDisagrees() {
    Agreement.Result r =
        compareV2(
            v2(output("label", "BYTES", "[1]", "[\"setosa\"]")),
            v2(output("species", "BYTES", "[1]", "[\"setosa\"]")));
    assertEquals(Verdict.DISAGREED, r.verdict());
    assertEquals("no output in common", r.reason());
  }

  @Test
  void onlyOutputsBothCarryAreCompared() {
    JsonObject live =
        v2(
            output("label", "BYTES", "[1]", "[\"setosa\"]"),
            output("output", "FP32", "[1,3]", "[0.1,0.8,0.1]"));
    JsonObject shadow =
        v2(output("label", "BYTES", "[1]", "[\"setosa\"]"), output("extra", "INT64", "[1]", "[7]"));
    assertEquals(Verdict.AGREED, compareV2(live, shadow).verdict());
  }

  @Test
  void aShadowAnswerWithoutOutputsDisagreesButALiveOneIsNotComparable() {
    JsonObject outputs = v2(output("label", "BYTES", "[1]", "[\"setosa\"]"));
    JsonObject error = new JsonObject().put("error", "boom");
    assertEquals(Verdict.DISAGREED, compareV2(outputs, error).verdict());
    assertEquals(Verdict.NOT_COMPARABLE, compareV2(error, outputs).verdict());
  }

  @Test
  void v1LabelsAndScoreMapsAsTheModelServerAnswers() {
    String live =
        "{\"predictions\":[{\"label\":\"setosa\",\"probabilities\":"
            + "{\"virginica\":4.4E-12,\"setosa\":0.999,\"versicolor\":7.6E-4}}]}";
    String sameWinner =
        "{\"predictions\":[{\"label\":\"setosa\",\"probabilities\":"
            + "{\"virginica\":2.6E-14,\"setosa\":0.6,\"versicolor\":0.4}}]}";
    assertEquals(Verdict.AGREED, compareV1(live, sameWinner).verdict());
    String otherWinner =
        "{\"predictions\":[{\"label\":\"setosa\",\"probabilities\":"
            + "{\"virginica\":0.1,\"setosa\":0.4,\"versicolor\":0.5}}]}";
    Agreement.Result r = compareV1(live, otherWinner);
    assertEquals(Verdict.DISAGREED, r.verdict());
    assertEquals(
        "predictions row 0.probabilities: highest score 'setosa' vs 'versicolor'", r.reason());
    String otherLabel =
        "{\"predictions\":[{\"label\":\"versicolor\",\"probabilities\":"
            + "{\"virginica\":4.4E-12,\"setosa\":0.999,\"versicolor\":7.6E-4}}]}";
    assertEquals(
        "predictions row 0.label: \"setosa\" vs \"versicolor\"",
        compareV1(live, otherLabel).reason());
  }

  @Test
  void v1RowsOfScoresByArgmaxAndScalarsByTolerance() {
    assertEquals(
        Verdict.AGREED,
        compareV1(
                "{\"predictions\":[[0.1,0.9],[0.8,0.2]]}",
                "{\"predictions\":[[0.4,0.6],[0.6,0.4]]}")
            .verdict());
    assertEquals(
        "predictions row 1: argmax 0 vs 1",
        compareV1(
                "{\"predictions\":[[0.1,0.9],[0.8,0.2]]}",
                "{\"predictions\":[[0.4,0.6],[0.4,0.6]]}")
            .reason());
    assertEquals(
        Verdict.AGREED,
        compareV1("{\"predictions\":[3.1415]}", "{\"predictions\":[3.1425]}").verdict());
    assertEquals(
        Verdict.DISAGREED,
        compareV1("{\"predictions\":[3.1415]}", "{\"predictions\":[3.15]}").verdict());
  }

  @Test
  void v1IntegersAndRowCountsMustMatch() {
    assertEquals(
        Verdict.AGREED,
        compareV1("{\"predictions\":[1,0,2]}", "{\"predictions\":[1,0,2]}").verdict());
    assertEquals(
        "predictions row 2: 2 vs 1",
        compareV1("{\"predictions\":[1,0,2]}", "{\"predictions\":[1,0,1]}").reason());
    assertEquals(
        "predictions: 3 rows vs 2",
        compareV1("{\"predictions\":[1,0,2]}", "{\"predictions\":[1,0]}").reason());
    // [1, 0] is a list of integers (class ids), compared element by element, not as scores.
    assertEquals(
        Verdict.DISAGREED,
        compareV1("{\"predictions\":[[1,0]]}", "{\"predictions\":[[0,1]]}").verdict());
  }

  @Test
  void v1ObjectsWithNoFieldInCommonDisagree() {
    assertEquals(
        "predictions row 0: no field in common",
        compareV1("{\"predictions\":[{\"a\":1}]}", "{\"predictions\":[{\"b\":1}]}").reason());
  }

  @Test
  void longValuesInAReasonAreCut() {
    String long1 = "x".repeat(100);
    Agreement.Result r =
        compareV1("{\"predictions\":[\"" + long1 + "\"]}", "{\"predictions\":[\"y\"]}");
    assertTrue(r.reason().length() < 80, r.reason());
  }
}
