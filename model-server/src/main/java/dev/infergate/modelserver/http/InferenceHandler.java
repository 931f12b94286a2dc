package dev.infergate.modelserver.http;

import dev.infergate.modelserver.batching.Admission;
import dev.infergate.modelserver.observability.InferenceMeters.Outcome;
import dev.infergate.modelserver.protocol.EncodedResponse;
import dev.infergate.modelserver.protocol.ProtocolException;
import dev.infergate.modelserver.repository.ModelVersion;
import dev.infergate.modelserver.runtime.InferenceCallback;
import dev.infergate.modelserver.runtime.InferenceRequest;
import dev.infergate.modelserver.runtime.RequestTrace;
import dev.infergate.modelserver.runtime.Tensor;
import dev.infergate.telemetry.Tracing;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Inference for both protocols: parse and validate on the event loop (bodies above {@link
 * #WORKER_PARSE_BYTES} on a worker), queue into the version's batcher, encode the response on the
 * inference worker and write it back on the request's event loop.
 */
final class InferenceHandler {
  private static final Logger LOG = Logger.getLogger(InferenceHandler.class.getName());

  /** Parsing a few hundred KiB of JSON takes long enough to stall other connections on the loop. */
  static final int WORKER_PARSE_BYTES = 256 * 1024;

  /** Seconds a client should wait before retrying a full queue: batches drain in milliseconds. */
  private static final String RETRY_AFTER_SECONDS = "1";

  /** One protocol's request parsing and response encoding. */
  interface Codec {
    /**
     * {@code binaryHeaderLength}: the request's {@code Inference-Header-Content-Length}, or null.
     */
    InferenceRequest parse(Buffer body, String binaryHeaderLength, ModelVersion model);

    EncodedResponse encode(ModelVersion model, InferenceRequest request, List<Tensor> outputs);
  }

  private static final AttributeKey<String> MODEL = AttributeKey.stringKey("infergate.model");
  private static final AttributeKey<String> VERSION =
      AttributeKey.stringKey("infergate.model.version");
  private static final AttributeKey<Long> STATUS =
      AttributeKey.longKey("http.response.status_code");
  private final Vertx vertx;
  private final ModelLookup lookup;
  private final Tracing tracing;

  InferenceHandler(Vertx vertx, ModelLookup lookup, Tracing tracing) {
    this.vertx = vertx;
    this.lookup = lookup;
    this.tracing = tracing;
  }

  /**
   * The request's server span, a child of its {@code traceparent}, ended when the response body is
   * written; null when tracing is off (nothing is made or allocated).
   */
  private RequestTrace startTrace(HttpServerRequest request, String modelName) {
    if (!tracing.enabled()) {
      return null;
    }
    Span span = tracing.startServer("infer " + modelName, request.getHeader("traceparent"));
    span.setAttribute(MODEL, modelName);
    HttpServerResponse response = request.response();
    response.bodyEndHandler(
        v -> {
          int status = response.getStatusCode();
          span.setAttribute(STATUS, status);
          if (status >= 500) {
            span.setStatus(StatusCode.ERROR);
          }
          span.end();
        });
    return new RequestTrace(tracing.tracer(), span);
  }

  /**
   * Serves an inference request whose body is still to be read. It is dispatched by hand, without
   * Vert.x Web and its failure handler, so an unexpected error is answered here, never left
   * hanging. A {@code Content-Encoding} other than gzip, deflate or identity is refused (415)
   * before the body is read.
   */
  void serve(
      HttpServerRequest request,
      String modelName,
      String versionName,
      Codec codec,
      long maxBodyBytes) {
    guarded(
        request,
        () -> {
          Compression.Coding coding;
          try {
            coding = Compression.requestCoding(request.getHeader(HttpHeaders.CONTENT_ENCODING));
          } catch (ProtocolException e) {
            BoundedBody.reject(request, e.status(), e.getMessage());
            return;
          }
          Compression.Coding answerCoding =
              Compression.responseCoding(request.getHeader(HttpHeaders.ACCEPT_ENCODING));
          String binaryHeaderLength = request.getHeader(EncodedResponse.HEADER_LENGTH);
          RequestTrace trace = startTrace(request, modelName);
          BoundedBody.read(
              request,
              maxBodyBytes,
              body ->
                  guarded(
                      request,
                      () -> {
                        Reply reply =
                            new Reply(request.response(), answerCoding, System.nanoTime(), trace);
                        if (coding == Compression.Coding.IDENTITY || body.length() == 0) {
                          infer(reply, body, binaryHeaderLength, modelName, versionName, codec);
                        } else {
                          decode(
                              reply,
                              body,
                              coding,
                              maxBodyBytes,
                              decoded ->
                                  infer(
                                      reply,
                                      decoded,
                                      binaryHeaderLength,
                                      modelName,
                                      versionName,
                                      codec));
                        }
                      }));
        });
  }

  /**
   * Where and how the answer goes: the response, the coding the client accepts, when the request
   * began.
   */
  private record Reply(
      HttpServerResponse response,
      Compression.Coding coding,
      long startedNanos,
      RequestTrace trace) {}

  /**
   * Inflates a compressed body, refusing it (413) once its decoded size passes the limit: the first
   * {@link Compression#LOOP_INFLATE_BYTES} on the event loop (well under a millisecond), the rest,
   * if any, on a worker. Then {@code then} runs on the event loop with the decoded body.
   */
  private void decode(
      Reply reply,
      Buffer body,
      Compression.Coding coding,
      long maxBodyBytes,
      Handler<Buffer> then) {
    Compression.Inflating inflating;
    boolean done;
    try {
      inflating = new Compression.Inflating(coding, body.getBytes(), maxBodyBytes);
    } catch (ProtocolException e) {
      Responses.error(reply.response(), e.status(), e.getMessage());
      return;
    }
    try {
      done = inflating.inflate(Compression.LOOP_INFLATE_BYTES);
    } catch (RuntimeException e) {
      inflating.close();
      Errors.answer(reply.response(), "decoding a " + coding.token() + " request body", e);
      return;
    }
    if (done) {
      inflating.close();
      then.handle(inflating.decoded());
      return;
    }
    Context context = Vertx.currentContext();
    vertx
        .executeBlocking(
            () -> {
              try (inflating) {
                inflating.inflate(Long.MAX_VALUE);
                return inflating.decoded();
              }
            },
            false)
        .onComplete(
            decoded ->
                context.runOnContext(
                    v -> {
                      if (decoded.succeeded()) {
                        try {
                          then.handle(decoded.result());
                        } catch (RuntimeException e) {
                          Errors.answer(
                              reply.response(),
                              "serving a decoded " + coding.token() + " request body",
                              e);
                        }
                      } else {
                        Errors.answer(
                            reply.response(),
                            "decoding a " + coding.token() + " request body",
                            decoded.cause());
                      }
                    }));
  }

  private static void guarded(HttpServerRequest request, Runnable work) {
    try {
      work.run();
    } catch (RuntimeException e) {
      Errors.answer(request.response(), request.method() + " " + request.path(), e);
    }
  }

  private void infer(
      Reply reply,
      Buffer body,
      String binaryHeaderLength,
      String modelName,
      String versionName,
      Codec codec) {
    HttpServerResponse response = reply.response();
    ModelVersion model;
    try {
      model = lookup.version(modelName, versionName);
    } catch (ProtocolException e) {
      Responses.error(response, e.status(), e.getMessage());
      return;
    }
    if (body == null || body.length() == 0) {
      model.meters().count(Outcome.BAD_REQUEST, System.nanoTime() - reply.startedNanos());
      Responses.error(response, 400, "the request body is empty; send a JSON object");
      return;
    }
    if (body.length() < WORKER_PARSE_BYTES) {
      InferenceRequest request;
      try {
        request = codec.parse(body, binaryHeaderLength, model);
      } catch (ProtocolException e) {
        rejected(reply, model, e);
        return;
      }
      submit(reply, model, codec, request);
      return;
    }
    Context context = Vertx.currentContext();
    vertx
        .executeBlocking(() -> codec.parse(body, binaryHeaderLength, model), false)
        .onComplete(
            parsed ->
                context.runOnContext(
                    v -> {
                      if (parsed.succeeded()) {
                        submit(reply, model, codec, parsed.result());
                      } else if (parsed.cause() instanceof ProtocolException e) {
                        rejected(reply, model, e);
                      } else {
                        Errors.answer(
                            response,
                            "parsing a request for " + model.name() + "/" + model.version(),
                            parsed.cause());
                      }
                    }));
  }

  private static void rejected(Reply reply, ModelVersion model, ProtocolException e) {
    model.meters().count(Outcome.BAD_REQUEST, System.nanoTime() - reply.startedNanos());
    Responses.error(reply.response(), e.status(), e.getMessage());
  }

  private static void submit(
      Reply reply, ModelVersion model, Codec codec, InferenceRequest request) {
    HttpServerResponse response = reply.response();
    Context context = Vertx.currentContext();
    if (reply.trace() != null) {
      reply.trace().server().setAttribute(VERSION, model.version());
    }
    Admission admission =
        model.submit(
            request,
            reply.trace(),
            new InferenceCallback() {
              @Override
              public void onResult(List<Tensor> outputs) {
                EncodedResponse encoded;
                Compression.Coding coding = reply.coding();
                try {
                  encoded = codec.encode(model, request, outputs);
                  if (coding != Compression.Coding.IDENTITY
                      && encoded.body().length() >= Compression.MIN_COMPRESSED_BYTES) {
                    // On this inference worker, not the event loop. A binary answer's header length
                    // counts the
                    // JSON before compression, as the client reads it after decoding.
                    encoded =
                        new EncodedResponse(
                            Compression.compress(encoded.body(), coding), encoded.jsonLength());
                  } else {
                    coding = Compression.Coding.IDENTITY;
                  }
                } catch (RuntimeException e) {
                  onError(e);
                  return;
                }
                model.meters().count(Outcome.SUCCESS, System.nanoTime() - reply.startedNanos());
                EncodedResponse answer = encoded;
                String contentEncoding = coding.token();
                context.runOnContext(
                    v -> {
                      response.putHeader(HttpHeaders.VARY, "Accept-Encoding");
                      if (contentEncoding != null) {
                        response.putHeader(HttpHeaders.CONTENT_ENCODING, contentEncoding);
                      }
                      Responses.inference(response, answer);
                    });
              }

              @Override
              public void onError(Throwable error) {
                model.meters().count(Outcome.ERROR, System.nanoTime() - reply.startedNanos());
                LOG.log(
                    Level.WARNING,
                    "inference failed on " + model.name() + "/" + model.version(),
                    error);
                context.runOnContext(
                    v ->
                        Responses.error(
                            response,
                            500,
                            "inference failed: " + Errors.forClient(error.getMessage())));
              }
            });
    switch (admission) {
      case ACCEPTED -> {}
      case QUEUE_FULL -> {
        response.putHeader("retry-after", RETRY_AFTER_SECONDS);
        Responses.error(
            response,
            503,
            "model " + model.name() + "/" + model.version() + " has a full queue; retry later");
      }
      case CLOSED -> {
        response.putHeader("retry-after", RETRY_AFTER_SECONDS);
        Responses.error(
            response, 503, "model " + model.name() + "/" + model.version() + " is being unloaded");
      }
    }
  }
}
