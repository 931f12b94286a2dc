package dev.infergate.modelserver.deploy;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBuilder;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Multi-document Kubernetes YAML into fabric8's typed objects, strictly: a kind this project does
 * not expect, or a field the typed model does not know (a typo such as {@code
 * readOnlyRootFileSystem}, which the API server would silently drop), is an error naming the
 * document.
 */
final class KubernetesDocuments {
  /** apiVersion/kind of every object the manifests may contain, and its typed model. */
  static final Map<String, Class<? extends HasMetadata>> KINDS =
      Map.of(
          "v1/Namespace", Namespace.class,
          "v1/Service", Service.class,
          "v1/ConfigMap", ConfigMap.class,
          "v1/Secret", Secret.class,
          "apps/v1/Deployment", Deployment.class,
          "apps/v1/StatefulSet", io.fabric8.kubernetes.api.model.apps.StatefulSet.class,
          "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class,
          "autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class,
          "networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class);

  private static final ObjectMapper STRICT =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .addModule(new SimpleModule().setDeserializerModifier(new NoCatchAll()))
          .build();

  private KubernetesDocuments() {}

  /** Every non-empty document of {@code yaml}, typed. */
  static List<HasMetadata> parse(String source, String yaml) {
    List<HasMetadata> objects = new ArrayList<>();
    int index = 0;
    for (Object document : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(yaml)) {
      index++;
      if (document == null) {
        continue;
      }
      if (!(document instanceof Map<?, ?> map)) {
        throw new AssertionError(source + " document " + index + " is not a mapping: " + document);
      }
      String key = map.get("apiVersion") + "/" + map.get("kind");
      Class<? extends HasMetadata> type = KINDS.get(key);
      String where = source + " document " + index + " (" + key + " " + name(map) + ")";
      if (type == null) {
        throw new AssertionError(
            where + ": no typed model for this kind; expected one of " + KINDS.keySet());
      }
      try {
        objects.add(STRICT.convertValue(map, type));
      } catch (IllegalArgumentException e) {
        throw new AssertionError(
            where + " does not fit the Kubernetes schema: " + e.getMessage(), e);
      }
    }
    return objects;
  }

  private static Object name(Map<?, ?> document) {
    return document.get("metadata") instanceof Map<?, ?> metadata ? metadata.get("name") : null;
  }

  /**
   * fabric8's models keep unknown fields in an {@code additionalProperties} map through a Jackson
   * any-setter; without it, {@link DeserializationFeature#FAIL_ON_UNKNOWN_PROPERTIES} applies.
   */
  private static final class NoCatchAll extends BeanDeserializerModifier {
    @Override
    public BeanDeserializerBuilder updateBuilder(
        DeserializationConfig config,
        BeanDescription description,
        BeanDeserializerBuilder builder) {
      builder.setAnySetter(null);
      return builder;
    }
  }
}
