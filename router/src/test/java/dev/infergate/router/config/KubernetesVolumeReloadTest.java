package dev.infergate.router.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.infergate.router.RouterServer;
import dev.infergate.router.testsupport.AuthYaml;
import dev.infergate.router.testsupport.FakeModelServer;
import dev.infergate.router.testsupport.Http;
import dev.infergate.router.testsupport.Poll;
import dev.infergate.router.testsupport.ServiceYaml;
import dev.infergate.router.testsupport.TestKeys;
import dev.infergate.router.testsupport.TestTokens;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A ConfigMap or Secret volume as the kubelet writes it: each file is a symlink through {@code
 * ..data} to a timestamped folder, and an update swaps {@code ..data} to a new folder with one
 * rename. The router must pick up both router.yaml and the JWKS that way, without a restart.
 */
class KubernetesVolumeReloadTest {
  @TempDir Path volume;

  private void publish(String version, Map<String, String> files) throws Exception {
    Path folder = Files.createDirectory(volume.resolve("..2026_12_02_" + version));
    for (Map.Entry<String, String> f : files.entrySet()) {
      Files.writeString(folder.resolve(f.getKey()), f.getValue());
      Path link = volume.resolve(f.getKey());
      if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        Files.createSymbolicLink(link, Path.of("..data", f.getKey()));
      }
    }
    Path tmp = volume.resolve("..data_tmp");
    Files.createSymbolicLink(tmp, folder.getFileName());
    Files.move(
        tmp,
        volume.resolve("..data"),
        StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
  }

  @Test
  void aSwappedConfigMapAndSecretAreAppliedWithoutRestart() throws Exception {
    Vertx vertx = Vertx.vertx();
    TestKeys oldKey = TestKeys.ec("old");
    TestKeys newKey = TestKeys.ec("new");
    Path jwksText = Files.createTempFile("jwks", ".json");
    try (FakeModelServer a = FakeModelServer.start(vertx, "a");
        FakeModelServer b = FakeModelServer.start(vertx, "b")) {
      String v1 =
          "stateFile: "
              + volume.getParent().resolve("state-" + volume.getFileName() + ".json")
              + "\n"
              + ServiceYaml.configWith(
                  AuthYaml.auth(volume.resolve("jwks.json")),
                  new ServiceYaml("iris")
                      .blueGreen("blue")
                      .track("blue", "1", a.url())
                      .track("green", "2", b.url()));
      publish(
          "a",
          Map.of(
              "router.yaml",
              v1,
              "jwks.json",
              Files.readString(TestKeys.writeJwks(jwksText, oldKey))));
      RouterServer router =
          RouterServer.start(
              new ConfigLoader(volume.resolve("router.yaml"), Map.of()),
              new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
      try {
        String url = "http://127.0.0.1:" + router.port() + "/v2/models/iris/infer";
        String oldToken = "Bearer " + TestTokens.forSubject("u").signEs256(oldKey);
        String newToken = "Bearer " + TestTokens.forSubject("u").signEs256(newKey);
        assertEquals(
            "blue", Http.post(url, "{}", "authorization", oldToken).header("x-infergate-track"));

        publish(
            "b",
            Map.of(
                "router.yaml",
                v1.replace("active: blue", "active: green"),
                "jwks.json",
                Files.readString(TestKeys.writeJwks(jwksText, newKey))));
        Poll.until(
            Duration.ofSeconds(15),
            () -> "green".equals(router.state().current().service("iris").config().active()),
            "router.yaml swapped through ..data applied");
        Poll.until(
            Duration.ofSeconds(15),
            () -> Http.post(url, "{}", "authorization", newToken).status() == 200,
            "JWKS swapped through ..data picked up");
        assertEquals(
            "green", Http.post(url, "{}", "authorization", newToken).header("x-infergate-track"));
        assertEquals(401, Http.post(url, "{}", "authorization", oldToken).status());
      } finally {
        router.close();
      }
    } finally {
      Files.deleteIfExists(jwksText);
      vertx.close().await();
    }
  }
}
