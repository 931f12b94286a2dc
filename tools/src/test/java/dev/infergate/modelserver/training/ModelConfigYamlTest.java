package dev.infergate.modelserver.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

class ModelConfigYamlTest {

  @Test
  void writesPlainLabelsUnquoted() {
    String yaml =
        ModelConfigYaml.render(List.of("Iris-setosa", "Iris-versicolor", "Iris-virginica"));

    assertTrue(yaml.contains("labels: [Iris-setosa, Iris-versicolor, Iris-virginica]"), yaml);
  }

  @Test
  void quotesLabelsThatYamlWouldNotReadBackVerbatim() {
    List<String> labels =
        List.of("yes", "1.5", "a: b", "with \"quotes\"", "back\\slash", "[x]", "#tag", "null");

    Map<String, Object> parsed = new Yaml().load(ModelConfigYaml.render(labels));

    assertEquals(labels, parsed.get("labels"));
  }
}
