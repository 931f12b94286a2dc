package dev.infergate.router.observability;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import org.junit.jupiter.api.Test;

class MetricNamesTest {
  @Test
  void everyMetricNameHasHelpText() throws Exception {
    for (Field f : MetricNames.class.getFields()) {
      if (Modifier.isStatic(f.getModifiers())
          && f.get(null) instanceof String name
          && name.startsWith("infergate.")) {
        assertFalse(MetricNames.help(name).isBlank(), name);
      }
    }
  }
}
