package dev.infergate.modelserver.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Dockerfiles are not built in CI (no Docker engine there), so their promises are checked as
 * text: the same Maven commands the README and CI run, pinned bases, the non-root user the pods
 * expect, and the files where the manifests look for them.
 */
class DockerfilesTest {
  static final String BUILD = "mvn -B -DskipTests package";
  static final String BUILD_GPU = "mvn -B -DskipTests -Pgpu package";
  private static final Pattern JAR = Pattern.compile("\"-jar\",\\s*\"([^\"]+)\"");

  static Dockerfile modelServer() {
    return Dockerfile.read(Overlays.k8s().resolveSibling("model-server").resolve("Dockerfile"));
  }

  static Dockerfile router() {
    return Dockerfile.read(Overlays.k8s().resolveSibling("router").resolve("Dockerfile"));
  }

  @Test
  void imagesBuildWithExactlyTheMavenCommandsThatCiRuns() {
    assertEquals(List.of(BUILD), mavenRuns(modelServer().stage("build")));
    assertEquals(List.of(BUILD_GPU), mavenRuns(modelServer().stage("build-gpu")));
    assertEquals(List.of(BUILD), mavenRuns(router().stage("build")));
  }

  @Test
  void everyBaseImageIsPinnedToAVersionTag() {
    for (Dockerfile file : List.of(modelServer(), router())) {
      for (Dockerfile.Stage stage : file.stages()) {
        if (file.isStage(stage.from())) {
          continue;
        }
        String image = stage.from();
        int colon = image.lastIndexOf(':');
        assertTrue(colon > image.lastIndexOf('/'), file.path() + ": " + image + " has no tag");
        String tag = image.substring(colon + 1);
        assertNotEquals("latest", tag, file.path() + ": " + image);
        assertTrue(
            tag.matches("\\d+(\\.\\d+)+.*"),
            file.path() + ": " + image + " is not pinned to a version");
      }
    }
  }

  /**
   * runAsNonRoot can only verify a numeric USER; and it is the uid the pods' securityContext names.
   */
  @Test
  void runtimeImagesRunAsTheNumericNonRootUserOfThePods() {
    Deployment pool = Overlays.get("prod").get(Deployment.class, "model-server-stable");
    long podUid = RenderedManifests.pod(pool).getSecurityContext().getRunAsUser();
    for (Dockerfile.Stage stage :
        List.of(
            modelServer().stage("cpu"), modelServer().stage("gpu"), router().stage("runtime"))) {
      String user =
          stage.last("USER").orElseThrow(() -> new AssertionError(stage.alias() + ": no USER"));
      assertTrue(
          user.matches("\\d+(:\\d+)?"), stage.alias() + ": USER " + user + " is not numeric");
      long uid = Long.parseLong(user.split(":")[0]);
      assertNotEquals(0L, uid, stage.alias() + ": runs as root");
      assertEquals(podUid, uid, stage.alias() + ": image user vs the pods' runAsUser");
    }
  }

  @Test
  void modelServerImagesServeTheBundledModelsFromTheirOwnBuild() {
    Dockerfile file = modelServer();
    assertEquals(file.stage("cpu"), file.last(), "the default target must be the CPU image");
    assertTrue(
        file.stage("gpu").from().matches("nvidia/cuda:12\\.[\\d.]+-cudnn-runtime-.*"),
        "the GPU image must start from a CUDA 12 cuDNN runtime: " + file.stage("gpu").from());
    for (String target : List.of("cpu", "gpu")) {
      Dockerfile.Stage stage = file.stage(target);
      assertTrue(
          stage.all("COPY").contains("config/models /opt/infergate/models"),
          target + ": bundled models");
      String builder = target.equals("gpu") ? "build-gpu" : "build";
      String jar = jarOf(stage);
      assertTrue(
          stage
              .all("COPY")
              .contains("--from=" + builder + " /src/model-server/target/model-server.jar " + jar),
          target + ": " + jar + " must come from stage " + builder);
    }
  }

  @Test
  void routerImageRunsTheJarItBuilt() {
    Dockerfile.Stage runtime = router().stage("runtime");
    assertEquals(runtime, router().last());
    String jar = jarOf(runtime);
    assertTrue(
        runtime.all("COPY").contains("--from=build /src/router/target/router.jar " + jar), jar);
  }

  private static List<String> mavenRuns(Dockerfile.Stage stage) {
    return stage.all("RUN").stream()
        .map(run -> run.replaceFirst("^(--mount=\\S+\\s+)+", ""))
        .filter(run -> run.startsWith("mvn"))
        .toList();
  }

  private static String jarOf(Dockerfile.Stage stage) {
    Matcher jar =
        JAR.matcher(
            stage.last("ENTRYPOINT").orElseThrow(() -> new AssertionError("no ENTRYPOINT")));
    assertTrue(jar.find(), "ENTRYPOINT does not run java -jar");
    return Path.of(jar.group(1)).toString();
  }
}
