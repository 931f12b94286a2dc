package dev.infergate.router.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.router.testsupport.FakeModelServer;
import dev.infergate.router.testsupport.Http;
import dev.infergate.router.testsupport.RouterHarness;
import dev.infergate.router.testsupport.ServiceYaml;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code router.jar token}: a dev key made on first use, and tokens a router with that config
 * accepts.
 */
class TokenCommandTest {
  @TempDir Path dir;

  private record Result(int code, String out, String err) {}

  private static Result token(Path config, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        TokenCommand.run(
            List.of(args),
            config.toString(),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(
        code, out.toString(StandardCharsets.UTF_8).strip(), err.toString(StandardCharsets.UTF_8));
  }

  private String config(String backendUrl) {
    return ServiceYaml.configWith(
        "auth:\n"
            + "  jwks: file:"
            + dir.resolve("dev/jwks.json")
            + "\n"
            + "  issuer: https://dev.infergate.local\n"
            + "  audience: infergate\n",
        new ServiceYaml("iris").track("stable", 100, "1", backendUrl));
  }

  @Test
  void makesTheDevKeyOnFirstUseAndSignsTokensTheRouterAccepts() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (FakeModelServer backend = FakeModelServer.start(vertx, "backend")) {
      Path config = dir.resolve("router.yaml");
      Files.writeString(config, config(backend.url()));
      Result user = token(config, "--sub", "alice", "--ttl", "10m");
      assertEquals(0, user.code(), user.err());
      assertEquals(3, user.out().split("\\.").length, user.out());
      assertTrue(Files.exists(dir.resolve("dev/jwks.json")));
      assertEquals(
          "rw-------",
          PosixFilePermissions.toString(
              Files.getPosixFilePermissions(dir.resolve("dev/" + DevKeys.PRIVATE_KEY_FILE))));
      assertFalse(
          Files.readString(dir.resolve("dev/jwks.json")).contains("\"d\""),
          "the JWKS holds no private part");
      Result admin = token(config, "--sub", "ops", "--role", "infergate-admin");
      assertEquals(0, admin.code(), admin.err());
      Result many = token(config, "--sub", "user", "--count", "3");
      assertEquals(0, many.code(), many.err());
      List<String> subjects =
          many.out()
              .lines()
              .map(
                  t ->
                      new JsonObject(
                              new String(
                                  Base64.getUrlDecoder().decode(t.split("\\.")[1]),
                                  StandardCharsets.UTF_8))
                          .getString("sub"))
              .toList();
      assertEquals(List.of("user-1", "user-2", "user-3"), subjects);

      try (RouterHarness router = RouterHarness.start(dir, Files.readString(config))) {
        Http.Response r =
            Http.post(
                router.url("/v2/models/iris/infer"), "{}", "authorization", "Bearer " + user.out());
        assertEquals(200, r.status(), r.body());
        String third = many.out().lines().toList().get(2);
        assertEquals(
            200,
            Http.post(router.url("/v2/models/iris/infer"), "{}", "authorization", "Bearer " + third)
                .status());
        assertEquals(
            403,
            Http.get(router.adminUrl("/admin/services"), "authorization", "Bearer " + user.out())
                .status());
        assertEquals(
            200,
            Http.get(router.adminUrl("/admin/services"), "authorization", "Bearer " + admin.out())
                .status());
      }
    } finally {
      vertx.close().await();
    }
  }

  @Test
  void refusesBadArgumentsAndAKeySetItDidNotMake() throws Exception {
    Path config = dir.resolve("router.yaml");
    Files.writeString(config, config("http://127.0.0.1:9"));
    assertEquals(2, token(config).code(), "--sub is required");
    assertEquals(2, token(config, "--sub", "a", "--ttl", "forever").code());
    assertEquals(2, token(config, "--sub", "a", "--colour", "blue").code());
    assertEquals(2, token(config, "--sub", "a", "--count", "0").code());
    assertEquals(2, token(config, "--sub", "a", "--count", "lots").code());
    assertEquals(2, token(config, "--sub", "a", "--count", "100001").code());
    Files.createDirectories(dir.resolve("dev"));
    Files.writeString(dir.resolve("dev/jwks.json"), "{\"keys\":[]}");
    Result refused = token(config, "--sub", "a");
    assertEquals(1, refused.code());
    assertTrue(refused.err().contains("will not replace a key set it did not make"), refused.err());
    assertEquals("{\"keys\":[]}", Files.readString(dir.resolve("dev/jwks.json")));
  }
}
