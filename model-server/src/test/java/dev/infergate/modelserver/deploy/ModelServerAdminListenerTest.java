package dev.infergate.modelserver.deploy;

import static dev.infergate.modelserver.deploy.AvailabilityPolicyTest.args;
import static dev.infergate.modelserver.deploy.AvailabilityPolicyTest.port;
import static dev.infergate.modelserver.deploy.AvailabilityPolicyTest.resolve;
import static dev.infergate.modelserver.deploy.RenderedManifests.MODEL_SERVER_IMAGE;
import static dev.infergate.modelserver.deploy.RenderedManifests.container;
import static dev.infergate.modelserver.deploy.RenderedManifests.pod;
import static dev.infergate.modelserver.deploy.RenderedManifests.podLabels;
import static dev.infergate.modelserver.deploy.RenderedManifests.selects;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.modelserver.config.ModelServerConfig;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.yaml.snakeyaml.Yaml;

/**
 * The model server's admin listener in every render: bound to the pod IP on its own container port,
 * scraped there, never behind a Service; and the grace period covers the pre-stop delay and the
 * drain.
 */
class ModelServerAdminListenerTest {
  static final List<String> RENDERS = Overlays.RENDERS;

  @ParameterizedTest
  @FieldSource("RENDERS")
  void adminListenerBindsThePodIpOnItsOwnPort(String render) {
    for (Deployment deployment : Overlays.get(render).running(MODEL_SERVER_IMAGE)) {
      String where = render + " " + deployment.getMetadata().getName();
      Container server = container(deployment, MODEL_SERVER_IMAGE).orElseThrow();
      int admin = port(server, "admin");
      assertNotEquals(port(server, "http"), admin, where);
      assertEquals(
          String.valueOf(admin),
          flag(server, "--admin-port"),
          where + ": --admin-port vs container port");
      assertEquals("$(POD_IP)", flag(server, "--admin-host"), where + ": --admin-host");
      EnvVar podIp =
          server.getEnv().stream()
              .filter(e -> e.getName().equals("POD_IP"))
              .findFirst()
              .orElseThrow(() -> new AssertionError(where + ": no POD_IP env"));
      assertEquals("status.podIP", podIp.getValueFrom().getFieldRef().getFieldPath(), where);
      Map<String, String> annotations =
          deployment.getSpec().getTemplate().getMetadata().getAnnotations();
      assertEquals(
          String.valueOf(admin),
          annotations.get("prometheus.io/port"),
          where + ": scrape annotation");
      assertEquals("/metrics", annotations.get("prometheus.io/path"), where);
    }
  }

  @ParameterizedTest
  @FieldSource("RENDERS")
  void noServiceExposesTheAdminPort(String render) {
    RenderedManifests manifests = Overlays.get(render);
    for (Deployment deployment : manifests.running(MODEL_SERVER_IMAGE)) {
      Container server = container(deployment, MODEL_SERVER_IMAGE).orElseThrow();
      for (Service service : manifests.all(Service.class)) {
        if (!selects(service.getSpec().getSelector(), podLabels(deployment))) {
          continue;
        }
        for (ServicePort port : service.getSpec().getPorts()) {
          assertNotEquals(
              port(server, "admin"),
              resolve(server, port.getTargetPort()),
              render + ": Service " + service.getMetadata().getName() + " exposes the admin port");
        }
      }
    }
  }

  @ParameterizedTest
  @FieldSource("RENDERS")
  void gracePeriodCoversThePreStopDelayAndTheDrain(String render) {
    long needed =
        TimeUnit.MILLISECONDS.toSeconds(
            ModelServerConfig.DEFAULT_PRE_STOP_DELAY_MILLIS
                + ModelServerConfig.DEFAULT_DRAIN_TIMEOUT_MILLIS);
    for (Deployment deployment : Overlays.get(render).running(MODEL_SERVER_IMAGE)) {
      long grace = pod(deployment).getTerminationGracePeriodSeconds();
      assertTrue(
          grace > needed,
          render
              + " "
              + deployment.getMetadata().getName()
              + ": terminationGracePeriodSeconds "
              + grace
              + " must exceed preStopDelay + drainTimeout = "
              + needed
              + " s");
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void prometheusScrapesModelServersOnTheAdminPort() throws Exception {
    int admin =
        port(
            container(Overlays.get("prod").running(MODEL_SERVER_IMAGE).get(0), MODEL_SERVER_IMAGE)
                .orElseThrow(),
            "admin");
    Map<String, Object> config =
        new Yaml()
            .load(Files.readString(Overlays.k8s().resolve("monitoring/prometheus-scrape.yaml")));
    Map<String, Object> job =
        ((List<Map<String, Object>>) config.get("scrape_configs"))
            .stream()
                .filter(j -> j.get("job_name").equals("infergate-model-server"))
                .findFirst()
                .orElseThrow();
    Map<String, Object> dns = ((List<Map<String, Object>>) job.get("dns_sd_configs")).get(0);
    assertEquals(admin, dns.get("port"), "the model-server job scrapes the admin port");
  }

  private static String flag(Container server, String flag) {
    List<String> args = args(server);
    int at = args.indexOf(flag);
    assertTrue(at >= 0 && at + 1 < args.size(), server.getName() + ": no " + flag + " in " + args);
    assertNotNull(args.get(at + 1));
    return args.get(at + 1);
  }
}
