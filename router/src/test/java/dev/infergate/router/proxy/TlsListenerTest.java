package dev.infergate.router.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.infergate.router.testsupport.FakeModelServer;
import dev.infergate.router.testsupport.RouterHarness;
import dev.infergate.router.testsupport.ServiceYaml;
import io.vertx.core.Vertx;
import io.vertx.core.net.SelfSignedCertificate;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;

/** HTTPS on the public listener from PEM files; the upstream hop stays plain HTTP. */
class TlsListenerTest {
  @Test
  void servesHttpsWithThePemCertificateAndTellsTheUpstream() throws Exception {
    Vertx vertx = Vertx.vertx();
    SelfSignedCertificate cert = SelfSignedCertificate.create("localhost");
    try (FakeModelServer backend = FakeModelServer.start(vertx, "backend");
        RouterHarness router =
            RouterHarness.start(
                ServiceYaml.configWith(
                    "tls: { certFile: "
                        + cert.certificatePath()
                        + ", keyFile: "
                        + cert.privateKeyPath()
                        + " }\n",
                    new ServiceYaml("iris").track("stable", 100, "1", backend.url())))) {
      String url = "https://localhost:" + router.server().port() + "/v2/models/iris/infer";
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(url))
              .timeout(Duration.ofSeconds(20))
              .POST(HttpRequest.BodyPublishers.ofString("{}"))
              .build();

      HttpClient trusting =
          HttpClient.newBuilder().sslContext(trusting(Path.of(cert.certificatePath()))).build();
      HttpResponse<String> r = trusting.send(request, HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode());
      assertEquals("https", backend.lastHeaders().get("x-forwarded-proto"));

      HttpClient strict = HttpClient.newHttpClient();
      assertThrows(
          IOException.class,
          () -> strict.send(request, HttpResponse.BodyHandlers.ofString()),
          "a client that does not trust the certificate is refused the handshake");
      HttpClient plain = HttpClient.newHttpClient();
      assertThrows(
          IOException.class,
          () ->
              plain.send(
                  HttpRequest.newBuilder(URI.create(url.replace("https", "http")))
                      .timeout(Duration.ofSeconds(20))
                      .GET()
                      .build(),
                  HttpResponse.BodyHandlers.ofString()),
          "plain HTTP is not served on a TLS listener");
    } finally {
      cert.delete();
      vertx.close().await();
    }
  }

  static SSLContext trusting(Path pem) throws Exception {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    try (InputStream in = Files.newInputStream(pem)) {
      store.setCertificateEntry(
          "router", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(store);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    return context;
  }
}
