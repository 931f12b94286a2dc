package dev.infergate.router.rollout;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code router.jar rollout start|status|pause|resume|abort SERVICE [--admin URL] [--token T]
 * [--body JSON]}: the rollout admin API for ops, printing phase, weights and each window's figures
 * as a table. The token defaults to {@code $INFERGATE_ADMIN_TOKEN}; {@code --body} carries start
 * overrides. Blocking (a command-line tool, not the server).
 */
public final class RolloutCommand {
  public static final String USAGE =
      "usage: java -jar router.jar rollout start|status|pause|resume|abort SERVICE "
          + "[--admin URL] [--token T] [--body JSON]\n"
          + "  --admin  the router's admin listener (default "
          + RolloutCommand.DEFAULT_ADMIN
          + ")\n"
          + "  --token  an admin bearer token (default $INFERGATE_ADMIN_TOKEN)\n"
          + "  --body   start only: fields of the rollout block to override, e.g. '{\"stepSeconds\": 30}'";
  static final String DEFAULT_ADMIN = "http://127.0.0.1:8081";
  private static final List<String> ACTIONS =
      List.of("start", "status", "pause", "resume", "abort");
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private RolloutCommand() {}

  /**
   * Returns the exit code: 0 done, 1 the router refused or could not be reached, 2 a usage problem.
   */
  public static int run(
      List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
    String action = null;
    String service = null;
    String admin = DEFAULT_ADMIN;
    String token = env.get("INFERGATE_ADMIN_TOKEN");
    String body = "";
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (a.equals("-h") || a.equals("--help")) {
        out.println(USAGE);
        return 0;
      }
      if (a.startsWith("--")) {
        if (i + 1 >= args.size()) {
          return usage(err, a + " needs a value");
        }
        String value = args.get(++i);
        switch (a) {
          case "--admin" ->
              admin = value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
          case "--token" -> token = value;
          case "--body" -> body = value;
          default -> {
            return usage(err, "unknown option '" + a + "'");
          }
        }
      } else if (action == null) {
        action = a;
      } else if (service == null) {
        service = a;
      } else {
        return usage(err, "unexpected argument '" + a + "'");
      }
    }
    if (action == null || !ACTIONS.contains(action)) {
      return usage(err, action == null ? "name an action" : "unknown action '" + action + "'");
    }
    if (service == null || !service.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
      return usage(
          err, service == null ? "name a service" : "not a service name: '" + service + "'");
    }
    if (!body.isEmpty() && !action.equals("start")) {
      return usage(err, "--body is for start only");
    }
    String path =
        "/admin/services/"
            + service
            + "/rollout"
            + (action.equals("start") || action.equals("status") ? "" : "/" + action);
    HttpRequest.Builder request;
    try {
      request = HttpRequest.newBuilder(URI.create(admin + path)).timeout(TIMEOUT);
    } catch (IllegalArgumentException e) {
      return usage(err, "--admin is not a URL: " + admin);
    }
    if (token != null && !token.isBlank()) {
      request.header("authorization", "Bearer " + token.trim());
    }
    if (action.equals("status")) {
      request.GET();
    } else {
      request
          .header("content-type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body));
    }
    HttpResponse<String> response;
    try {
      response =
          HttpClient.newBuilder()
              .connectTimeout(TIMEOUT)
              .build()
              .send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      err.println("infergate rollout: cannot reach " + admin + ": " + e);
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
    JsonObject json;
    try {
      json = new JsonObject(response.body());
    } catch (DecodeException | ClassCastException e) {
      err.println(
          "infergate rollout: "
              + admin
              + " answered "
              + response.statusCode()
              + " with no JSON object");
      return 1;
    }
    if (response.statusCode() / 100 != 2) {
      err.println(
          "infergate rollout: "
              + response.statusCode()
              + ": "
              + json.getString("error", response.body()));
      return 1;
    }
    out.print(table(json));
    return 0;
  }

  /** The rollout's JSON as ops read it: a header, the weights, and one row per analysed window. */
  static String table(JsonObject r) {
    StringBuilder b = new StringBuilder();
    JsonObject config = r.getJsonObject("config");
    int steps = config == null ? 0 : config.getJsonArray("steps").size();
    b.append(
        String.format(
            Locale.ROOT,
            "service %s   phase %s   step %d of %d",
            r.getString("service"),
            r.getString("phase"),
            r.getInteger("step", 0),
            steps));
    if (r.containsKey("candidate")) {
      b.append("   candidate ")
          .append(r.getString("candidate"))
          .append("   baseline ")
          .append(r.getString("baseline"));
    }
    b.append('\n');
    JsonObject weights = r.getJsonObject("weights", new JsonObject());
    b.append("weights ");
    weights.forEach(e -> b.append("  ").append(e.getKey()).append(' ').append(e.getValue()));
    b.append('\n');
    if (r.getString("reason") != null) {
      b.append("reason  ").append(r.getString("reason")).append('\n');
    }
    JsonArray analyses = r.getJsonArray("analyses", new JsonArray());
    if (!analyses.isEmpty()) {
      b.append(
          String.format(
              Locale.ROOT,
              "%-5s %-13s %9s %7s %8s %11s %11s %9s %11s%n",
              "step",
              "verdict",
              "requests",
              "errors",
              "error%",
              "cand p99ms",
              "base p99ms",
              "p99 ratio",
              "agreement%"));
      for (int i = 0; i < analyses.size(); i++) {
        JsonObject a = analyses.getJsonObject(i);
        b.append(
            String.format(
                Locale.ROOT,
                "%-5d %-13s %9d %7d %8.2f %11.1f %11.1f %9s %11s%n",
                a.getInteger("step"),
                a.getString("verdict"),
                a.getLong("requests"),
                a.getLong("errors"),
                a.getDouble("errorPercent"),
                a.getDouble("candidateP99Millis"),
                a.getDouble("baselineP99Millis"),
                figure(a.getDouble("p99Ratio")),
                figure(a.getDouble("agreementPercent"))));
      }
    }
    return b.toString();
  }

  private static String figure(Double d) {
    return d == null ? "-" : String.format(Locale.ROOT, "%.2f", d);
  }

  private static int usage(PrintStream err, String problem) {
    err.println("infergate rollout: " + problem + "\n" + USAGE);
    return 2;
  }
}
