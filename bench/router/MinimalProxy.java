// The floor the router is measured against besides nginx: a minimal Vert.x 5 reverse proxy (HttpServer
// + pooled keep-alive HttpClient, one verticle per event loop, nothing else: no routing, no headers
// added, no metrics, no breakers, no retries). Run with the router jar on the class path:
//   java -cp router/target/router.jar bench/router/MinimalProxy.java LISTEN_PORT BACKEND_PORT
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

public class MinimalProxy extends VerticleBase {
  private final int listen;
  private final int backend;
  private HttpClient client;

  MinimalProxy(int listen, int backend) {
    this.listen = listen;
    this.backend = backend;
  }

  public static void main(String[] args) {
    int listen = Integer.parseInt(args[0]);
    int backend = Integer.parseInt(args[1]);
    int loops = Runtime.getRuntime().availableProcessors();
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops).setPreferNativeTransport(true));
    vertx.deployVerticle(() -> new MinimalProxy(listen, backend), new DeploymentOptions().setInstances(loops))
        .onSuccess(id -> System.out.println("minimal proxy listening on http://127.0.0.1:" + listen
            + " (native transport: " + vertx.isNativeTransportEnabled() + ")"));
  }

  @Override
  public Future<?> start() {
    client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(256));
    return vertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(false))
        .requestHandler(this::handle)
        .listen(listen, "127.0.0.1");
  }

  private void handle(HttpServerRequest in) {
    in.body().compose(body -> client.request(new RequestOptions().setMethod(in.method()).setHost("127.0.0.1")
            .setPort(backend).setURI(in.uri()))
        .compose(req -> {
          req.headers().setAll(in.headers());
          req.headers().remove("host");
          return req.send(body);
        }))
        .onSuccess(resp -> {
          in.response().setStatusCode(resp.statusCode()).headers().setAll(resp.headers());
          resp.pipeTo(in.response());
        })
        .onFailure(t -> in.response().setStatusCode(502).end());
  }
}
