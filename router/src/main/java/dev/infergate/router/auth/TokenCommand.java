package dev.infergate.router.auth;

import dev.infergate.router.config.AuthConfig;
import dev.infergate.router.config.ConfigException;
import dev.infergate.router.config.ConfigLoader;
import dev.infergate.router.config.RouterConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code router.jar token --sub NAME [--role R]... [--plan P] [--ttl 1h] [--count N] [--config
 * FILE]}: prints a development token signed with the local dev key (with {@code --count}, N tokens
 * one per line, for subjects NAME-1..NAME-N: many consumers for a canary to spread), made on first
 * use beside the JWKS file that the config's {@code auth.jwks: file:...} names (a git-ignored state
 * folder). Issuer, audience and claim names come from the same config, so the token is one the
 * router accepts.
 */
public final class TokenCommand {
  public static final String USAGE =
      "usage: java -jar router.jar token --sub NAME [--role ROLE]... [--plan PLAN] [--ttl 1h] [--count N] [--config FILE]";

  /** Tokens one call may print with {@code --count}. */
  static final int MAX_COUNT = 100_000;

  private TokenCommand() {}

  /** Returns the exit code: 0, or 2 for a usage or configuration problem. */
  public static int run(List<String> args, String defaultConfig, PrintStream out, PrintStream err) {
    String subject = null;
    String plan = null;
    String config = defaultConfig;
    Duration ttl = Duration.ofHours(1);
    Integer count = null;
    List<String> roles = new ArrayList<>();
    try {
      for (int i = 0; i < args.size(); i++) {
        String flag = args.get(i);
        if (flag.equals("-h") || flag.equals("--help")) {
          out.println(USAGE);
          return 0;
        }
        if (i + 1 >= args.size()) {
          throw new IllegalArgumentException(flag + " needs a value");
        }
        String value = args.get(++i);
        switch (flag) {
          case "--sub" -> subject = value;
          case "--role" -> roles.add(value);
          case "--plan" -> plan = value;
          case "--ttl" -> ttl = DevTokens.parseTtl(value);
          case "--config" -> config = value;
          case "--count" -> count = parseCount(value);
          default -> throw new IllegalArgumentException("unknown argument '" + flag + "'");
        }
      }
      if (subject == null || subject.isBlank()) {
        throw new IllegalArgumentException("--sub is required");
      }
      if (ttl.isNegative() || ttl.isZero()) {
        throw new IllegalArgumentException("--ttl must be positive");
      }
      RouterConfig router = new ConfigLoader(Path.of(config), System.getenv()).load();
      AuthConfig auth = router.auth();
      if (auth == null || !auth.jwksIsFile()) {
        throw new IllegalArgumentException(
            config
                + " has no auth block with jwks: file:PATH; dev tokens are "
                + "signed with a local key whose public half goes into that file");
      }
      Path jwks = Path.of(auth.jwks().substring("file:".length()));
      Path dir = jwks.toAbsolutePath().getParent();
      if (!jwks.getFileName().toString().equals(DevKeys.JWKS_FILE)) {
        throw new IllegalArgumentException(
            "auth.jwks must name a file called "
                + DevKeys.JWKS_FILE
                + " for dev tokens, was "
                + auth.jwks());
      }
      var key = DevKeys.loadOrCreate(dir);
      if (!auth.algorithms().contains("ES256")) {
        err.println(
            "warning: auth.algorithms "
                + auth.algorithms()
                + " lacks ES256; the router will refuse this token");
      }
      List<String> subjects = new ArrayList<>();
      if (count == null) {
        subjects.add(subject);
      } else {
        for (int n = 1; n <= count; n++) {
          subjects.add(subject + "-" + n);
        }
      }
      for (String sub : subjects) {
        out.println(
            DevTokens.sign(
                key,
                auth.issuer(),
                auth.audience(),
                sub,
                roles,
                plan,
                auth.rolesClaim(),
                auth.planClaim(),
                ttl));
      }
      return 0;
    } catch (IllegalArgumentException | ConfigException e) {
      err.println("infergate token: " + e.getMessage() + "\n" + USAGE);
      return 2;
    } catch (Exception e) {
      err.println("infergate token: " + e.getMessage());
      return 1;
    }
  }

  private static int parseCount(String value) {
    try {
      int count = Integer.parseInt(value);
      if (count >= 1 && count <= MAX_COUNT) {
        return count;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new IllegalArgumentException("--count must be 1.." + MAX_COUNT + ", was '" + value + "'");
  }
}
