package dev.infergate.modelserver.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class V2InferPathTest {
  @ParameterizedTest
  @CsvSource(nullValues = "-", value = {
      "/v2/models/iris/infer, iris, -",
      "/v2/models/iris/versions/2/infer, iris, 2",
      "/v2/models/my%20model/versions/v%2F1/infer, my model, v/1",
      "/v2/models/a+b/infer, a+b, -",
      "/v2/models/versions/infer, versions, -"})
  void namesTheModelAndVersion(String path, String model, String version) {
    assertEquals(new V2InferPath(model, version), V2InferPath.parse(path));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/v2/models/infer", "/v2/models//infer", "/v2/models/iris", "/v2/models/iris/ready",
      "/v2/models/iris/versions/2", "/v2/models/iris/versions//infer", "/v2/models/iris/extra/infer",
      "/v2/models/iris/versions/2/x/infer", "/v2/models//versions/2/infer", "/v1/models/iris:predict",
      "/v2/models/iris/infer/", "/v2/health/ready"})
  void isNullForEveryOtherPath(String path) {
    assertNull(V2InferPath.parse(path));
  }
}
