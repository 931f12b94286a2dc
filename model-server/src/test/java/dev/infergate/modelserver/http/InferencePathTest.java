package dev.infergate.modelserver.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class InferencePathTest {
  @ParameterizedTest
  @CsvSource(nullValues = "-", value = {
      "/v2/models/iris/infer, iris, -, false",
      "/v2/models/iris/versions/2/infer, iris, 2, false",
      "/v2/models/my%20model/versions/v%2F1/infer, my model, v/1, false",
      "/v2/models/a+b/infer, a+b, -, false",
      "/v2/models/versions/infer, versions, -, false",
      "/v1/models/iris:predict, iris, -, true",
      "/v1/models/iris/versions/2:predict, iris, 2, true",
      "/v1/models/my%20model:predict, my model, -, true"})
  void namesTheModelAndVersion(String path, String model, String version, boolean v1) {
    assertEquals(new InferencePath(model, version, v1), InferencePath.parse(path));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/v2/models/infer", "/v2/models//infer", "/v2/models/iris", "/v2/models/iris/ready",
      "/v2/models/iris/versions/2", "/v2/models/iris/versions//infer", "/v2/models/iris/extra/infer",
      "/v2/models/iris/versions/2/x/infer", "/v2/models//versions/2/infer",
      "/v2/models/iris/infer/", "/v2/health/ready", "/v1/models/:predict", "/v1/models/iris",
      "/v1/models/a:b:predict", "/v1/models/iris/x:predict", "/v1/models/iris/versions/:predict"})
  void isNullForEveryOtherPath(String path) {
    assertNull(InferencePath.parse(path));
  }
}
