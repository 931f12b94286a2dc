package dev.infergate.modelserver.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Every overlay renders, and every rendered document is a known kind that fits its schema exactly.
 */
class ManifestParsingTest {
  static final List<String> RENDERS = Overlays.RENDERS;

  @Test
  void rejectsAContainerFieldTheSchemaDoesNotKnow() {
    String typo =
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: x }
        spec:
          selector: { matchLabels: { a: b } }
          template:
            metadata: { labels: { a: b } }
            spec:
              containers:
                - name: x
                  image: x:1
                  securityContext: { readOnlyRootFileSystem: true }
        """;

    AssertionError error =
        assertThrows(AssertionError.class, () -> KubernetesDocuments.parse("typo", typo));

    assertTrue(error.getMessage().contains("readOnlyRootFileSystem"), error.getMessage());
  }

  @Test
  void rejectsAKindWithoutATypedModel() {
    String job = "apiVersion: batch/v1\nkind: CronJob\nmetadata: { name: x }\n";

    AssertionError error =
        assertThrows(AssertionError.class, () -> KubernetesDocuments.parse("cron", job));

    assertTrue(error.getMessage().contains("batch/v1/CronJob"), error.getMessage());
  }

  @ParameterizedTest
  @FieldSource("RENDERS")
  void rendersIntoTypedObjectsAllInTheInfergateNamespace(String render) {
    RenderedManifests manifests = Overlays.get(render);

    assertFalse(manifests.deployments().isEmpty(), render + " renders no Deployment");
    for (HasMetadata object : manifests.objects()) {
      if (!(object instanceof Namespace)) {
        assertEquals(
            "infergate",
            object.getMetadata().getNamespace(),
            render + ": " + object.getKind() + " " + object.getMetadata().getName());
      }
    }
  }

  @ParameterizedTest
  @FieldSource("RENDERS")
  void namespaceEnforcesRestrictedPodSecurity(String render) {
    Namespace namespace = Overlays.get(render).get(Namespace.class, "infergate");
    Map<String, String> labels = namespace.getMetadata().getLabels();

    assertEquals("restricted", labels.get("pod-security.kubernetes.io/enforce"), render);
    assertEquals("restricted", labels.get("pod-security.kubernetes.io/warn"), render);
  }
}
