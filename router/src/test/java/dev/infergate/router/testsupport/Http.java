package dev.infergate.router.testsupport;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** A small blocking HTTP/1.1 client for tests (JDK client, keep-alive pooled). Thread-safe. */
public final class Http {
  public static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private Http() {}

  /** A response with its body as text. */
  public record Response(int status, Map<String, java.util.List<String>> headers, String body) {
    public String header(String name) {
      for (Map.Entry<String, java.util.List<String>> e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name)) {
          return e.getValue().get(0);
        }
      }
      return null;
    }

    public JsonObject json() {
      return new JsonObject(body);
    }
  }

  public static Response get(String url, String... headers) {
    return send(builder(url, headers).GET().build());
  }

  public static Response post(String url, String body, String... headers) {
    return send(builder(url, headers).POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  public static HttpRequest.Builder builder(String url, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT);
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return b;
  }

  public static Response send(HttpRequest request) {
    HttpResponse<String> r = exchange(request, HttpResponse.BodyHandlers.ofString());
    return new Response(r.statusCode(), r.headers().map(), r.body());
  }

  /** Like {@link #send} for a binary body. */
  public static HttpResponse<byte[]> sendBytes(HttpRequest request) {
    return exchange(request, HttpResponse.BodyHandlers.ofByteArray());
  }

  /** Sends; a failure to get an answer fails the test. */
  private static <T> HttpResponse<T> exchange(
      HttpRequest request, HttpResponse.BodyHandler<T> body) {
    try {
      return CLIENT.send(request, body);
    } catch (IOException e) {
      throw new AssertionError("request to " + request.uri() + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** Like {@link #send} but returns the failure instead of throwing (for load loops). */
  public static Object trySend(HttpRequest request) {
    try {
      HttpResponse<String> r = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
      return new Response(r.statusCode(), r.headers().map(), r.body());
    } catch (IOException e) {
      return e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return e;
    }
  }

  /** A V2 infer body for the Iris model. */
  public static String irisV2(String inputName) {
    return "{\"inputs\":[{\"name\":\""
        + inputName
        + "\",\"shape\":[1,4],\"datatype\":\"FP32\","
        + "\"data\":[5.1,3.5,1.4,0.2]}]}";
  }
}
