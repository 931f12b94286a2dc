package dev.infergate.modelserver.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The CI/CD workflow ({@code .github/workflows/ci.yaml}) tests what the README says is the test,
 * and nothing it builds or deploys can run without that test passing: parsed, not run.
 */
class CiWorkflowTest {
  private static final Pattern README_TEST_COMMAND =
      Pattern.compile("## Tests\\n.*?```sh\\n([^\\n]+)\\n```", Pattern.DOTALL);
  private static final Pattern PINNED = Pattern.compile("[^@\\s]+@[0-9a-f]{40}");

  private final Path root = ComposeStack.config().getParent();
  private final Map<String, Object> workflow = read(root.resolve(".github/workflows/ci.yaml"));

  @Test
  void testJobRunsTheReadmeTestCommandOnEveryPushAndPullRequest() throws IOException {
    String command = readmeTestCommand();
    assertEquals(
        "mvn -B verify",
        command,
        "the README's test command changed: check the workflow still runs it");
    Map<String, Object> triggers = triggers();
    assertTrue(triggers.containsKey("pull_request"), "pull requests are not tested: " + triggers);
    assertTrue(triggers.containsKey("push"), "pushes are not tested: " + triggers);

    Map<String, Object> test = job("test");
    assertNull(test.get("if"), "the test job must run for every event");
    assertTrue(
        runs(test).contains(command), "the test job does not run `" + command + "`: " + runs(test));
    assertTrue(
        runs(test).contains(".ci/run --tools-only"),
        "the test job installs the tools .ci/run installs");
    assertTrue(
        lastCommand(Files.readString(root.resolve(".ci/run"))).equals(command),
        ".ci/run's last command is not the README's test command");
    assertTrue(
        ComposeStack.list(test, "steps").stream()
            .anyMatch(
                s ->
                    String.valueOf(s).contains("actions/cache@")
                        && String.valueOf(s).contains(".m2/repository")),
        "no Maven cache in the test job");
  }

  @Test
  void everyJobThatBuildsPushesOrDeploysNeedsTheTestJob() {
    List<String> gated = new ArrayList<>();
    ComposeStack.map(workflow, "jobs")
        .forEach(
            (name, job) -> {
              String text = String.valueOf(job);
              if (text.contains("build-push-action")
                  || text.contains(".ci/deploy")
                  || job.containsKey("environment")) {
                assertTrue(
                    needsTransitively(name).contains("test"),
                    name + " can run without the test job passing");
                gated.add(name);
              }
            });
    assertEquals(Set.of("images", "deploy-dev", "promote-prod"), new HashSet<>(gated));
    assertTrue(
        needsTransitively("deploy-dev").contains("images"), "dev deploys images not yet pushed");
  }

  @Test
  void mainBuildsAllThreeImagesTaggedWithTheCommitFromTheRepositoryDockerfiles() {
    Map<String, Object> images = job("images");
    assertTrue(
        String.valueOf(images.get("if")).contains("refs/heads/main"),
        "images are built on main only");
    List<Object> matrix =
        ComposeStack.list(ComposeStack.map(images, "strategy").get("matrix"), "include");
    Set<String> targets = new HashSet<>();
    for (Object entry : matrix) {
      @SuppressWarnings("unchecked")
      Map<String, Object> m = (Map<String, Object>) entry;
      Dockerfile dockerfile = Dockerfile.read(root.resolve(String.valueOf(m.get("dockerfile"))));
      assertTrue(dockerfile.isStage(String.valueOf(m.get("target"))), m + ": no such stage");
      targets.add(m.get("dockerfile") + "#" + m.get("target"));
    }
    assertEquals(
        Set.of(
            "router/Dockerfile#runtime",
            "model-server/Dockerfile#cpu",
            "model-server/Dockerfile#gpu"),
        targets);
    String push = String.valueOf(step(images, "docker/build-push-action"));
    assertTrue(push.contains("ghcr.io") || push.contains("steps.registry.outputs.name"), push);
    assertTrue(
        push.contains("${{ github.sha }}"), "images are not tagged with the commit: " + push);
    assertTrue(
        String.valueOf(step(images, "docker/login-action")).contains("registry=ghcr.io"),
        "no login to ghcr.io");
  }

  @Test
  void aVersionTagPromotesByDigestToProdBehindAnApprovalAndMainDeploysDev() {
    Map<String, Object> prod = job("promote-prod");
    assertEquals(
        "production",
        prod.get("environment"),
        "prod needs the environment with required reviewers");
    assertTrue(
        String.valueOf(prod.get("if")).contains("refs/tags/v"),
        "prod deploys on version tags only");
    assertTrue(
        runs(prod).stream()
            .anyMatch(r -> r.contains(".ci/deploy prod \"$GITHUB_SHA\" \"$GITHUB_REF_NAME\"")),
        "prod does not promote this commit's images: " + runs(prod));
    assertFalse(String.valueOf(prod).contains("build-push-action"), "prod must not rebuild");
    Map<String, Object> dev = job("deploy-dev");
    assertTrue(String.valueOf(dev.get("if")).contains("refs/heads/main"));
    assertTrue(
        runs(dev).stream().anyMatch(r -> r.contains(".ci/deploy dev \"$GITHUB_SHA\"")),
        runs(dev).toString());
    assertTrue(
        Files.isDirectory(root.resolve("k8s/overlays/dev"))
            && Files.isDirectory(root.resolve("k8s/overlays/prod")));
  }

  @Test
  void everyActionIsPinnedToAFullCommitSha() {
    ComposeStack.map(workflow, "jobs")
        .forEach(
            (name, job) -> {
              for (Object step : ComposeStack.list(job, "steps")) {
                Object uses = ((Map<?, ?>) step).get("uses");
                if (uses != null) {
                  assertTrue(
                      PINNED.matcher(String.valueOf(uses)).matches(),
                      name + ": " + uses + " is not pinned to a SHA");
                }
              }
              assertNotNull(job.get("timeout-minutes"), name + " has no timeout");
            });
  }

  private Map<String, Object> triggers() {
    // YAML 1.1 (snakeyaml) reads the key `on` as the boolean true.
    Object on = workflow.containsKey("on") ? workflow.get("on") : workflow.get(Boolean.TRUE);
    @SuppressWarnings("unchecked")
    Map<String, Object> map = (Map<String, Object>) on;
    return map;
  }

  private Map<String, Object> job(String name) {
    Map<String, Object> job = ComposeStack.map(workflow, "jobs").get(name);
    assertNotNull(job, "no job " + name);
    return job;
  }

  private static List<String> runs(Map<String, Object> job) {
    return ComposeStack.list(job, "steps").stream()
        .map(s -> ((Map<?, ?>) s).get("run"))
        .filter(r -> r != null)
        .map(r -> String.valueOf(r).strip())
        .toList();
  }

  private static Object step(Map<String, Object> job, String action) {
    return ComposeStack.list(job, "steps").stream()
        .filter(s -> String.valueOf(((Map<?, ?>) s).get("uses")).startsWith(action + "@"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no step uses " + action));
  }

  private Set<String> needsTransitively(String name) {
    Set<String> seen = new HashSet<>();
    Deque<String> todo = new ArrayDeque<>(List.of(name));
    while (!todo.isEmpty()) {
      Object needs = job(todo.pop()).get("needs");
      List<?> list = needs instanceof List<?> l ? l : needs == null ? List.of() : List.of(needs);
      for (Object n : list) {
        if (seen.add(String.valueOf(n))) {
          todo.push(String.valueOf(n));
        }
      }
    }
    return seen;
  }

  private String readmeTestCommand() throws IOException {
    Matcher m = README_TEST_COMMAND.matcher(Files.readString(root.resolve("README.md")));
    assertTrue(m.find(), "README has no ## Tests section with a sh block");
    return m.group(1).strip();
  }

  private static String lastCommand(String script) {
    String[] lines = script.strip().split("\n");
    return lines[lines.length - 1].strip();
  }

  private static Map<String, Object> read(Path file) {
    try {
      return ComposeStack.parse(Files.readString(file));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
