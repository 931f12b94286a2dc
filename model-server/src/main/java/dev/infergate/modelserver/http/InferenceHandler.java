package dev.infergate.modelserver.http;

import dev.infergate.modelserver.batching.Admission;
import dev.infergate.modelserver.observability.InferenceMeters.Outcome;
import dev.infergate.modelserver.protocol.EncodedResponse;
import dev.infergate.modelserver.protocol.ProtocolException;
import dev.infergate.modelserver.repository.ModelVersion;
import dev.infergate.modelserver.runtime.InferenceCallback;
import dev.infergate.modelserver.runtime.InferenceRequest;
import dev.infergate.modelserver.runtime.Tensor;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Inference for both protocols: parse and validate on the event loop (bodies above
 * {@link #WORKER_PARSE_BYTES} on a worker), queue into the version's batcher, encode the response on
 * the inference worker and write it back on the request's event loop.
 */
final class InferenceHandler {
  private static final Logger LOG = Logger.getLogger(InferenceHandler.class.getName());
  /** Parsing a few hundred KiB of JSON takes long enough to stall other connections on the loop. */
  static final int WORKER_PARSE_BYTES = 256 * 1024;
  /** Seconds a client should wait before retrying a full queue: batches drain in milliseconds. */
  private static final String RETRY_AFTER_SECONDS = "1";

  /** One protocol's request parsing and response encoding. */
  interface Codec {
    /** {@code binaryHeaderLength}: the request's {@code Inference-Header-Content-Length}, or null. */
    InferenceRequest parse(Buffer body, String binaryHeaderLength, ModelVersion model);

    EncodedResponse encode(ModelVersion model, InferenceRequest request, List<Tensor> outputs);
  }

  private final Vertx vertx;
  private final ModelLookup lookup;

  InferenceHandler(Vertx vertx, ModelLookup lookup) {
    this.vertx = vertx;
    this.lookup = lookup;
  }

  /**
   * Serves an inference request whose body is still to be read. It is dispatched by hand, without
   * Vert.x Web and its failure handler, so an unexpected error is answered here, never left hanging.
   */
  void serve(HttpServerRequest request, String modelName, String versionName, Codec codec, long maxBodyBytes) {
    guarded(request, () -> BoundedBody.read(request, maxBodyBytes,
        body -> guarded(request, () -> infer(request.response(), body,
            request.getHeader(EncodedResponse.HEADER_LENGTH), modelName, versionName, codec))));
  }

  private static void guarded(HttpServerRequest request, Runnable work) {
    try {
      work.run();
    } catch (RuntimeException e) {
      Errors.answer(request.response(), request.method() + " " + request.path(), e);
    }
  }

  private void infer(HttpServerResponse response, Buffer body, String binaryHeaderLength, String modelName,
      String versionName, Codec codec) {
    ModelVersion model;
    try {
      model = lookup.version(modelName, versionName);
    } catch (ProtocolException e) {
      Responses.error(response, e.status(), e.getMessage());
      return;
    }
    if (body == null || body.length() == 0) {
      model.meters().count(Outcome.BAD_REQUEST);
      Responses.error(response, 400, "the request body is empty; send a JSON object");
      return;
    }
    if (body.length() < WORKER_PARSE_BYTES) {
      InferenceRequest request;
      try {
        request = codec.parse(body, binaryHeaderLength, model);
      } catch (ProtocolException e) {
        rejected(response, model, e);
        return;
      }
      submit(response, model, codec, request);
      return;
    }
    Context context = Vertx.currentContext();
    vertx.executeBlocking(() -> codec.parse(body, binaryHeaderLength, model), false).onComplete(parsed -> context.runOnContext(v -> {
      if (parsed.succeeded()) {
        submit(response, model, codec, parsed.result());
      } else if (parsed.cause() instanceof ProtocolException e) {
        rejected(response, model, e);
      } else {
        Errors.answer(response, "parsing a request for " + model.name() + "/" + model.version(), parsed.cause());
      }
    }));
  }

  private static void rejected(HttpServerResponse response, ModelVersion model, ProtocolException e) {
    model.meters().count(Outcome.BAD_REQUEST);
    Responses.error(response, e.status(), e.getMessage());
  }

  private static void submit(HttpServerResponse response, ModelVersion model, Codec codec, InferenceRequest request) {
    Context context = Vertx.currentContext();
    Admission admission = model.submit(request, new InferenceCallback() {
      @Override
      public void onResult(List<Tensor> outputs) {
        EncodedResponse encoded;
        try {
          encoded = codec.encode(model, request, outputs);
        } catch (RuntimeException e) {
          onError(e);
          return;
        }
        model.meters().count(Outcome.SUCCESS);
        context.runOnContext(v -> Responses.inference(response, encoded));
      }

      @Override
      public void onError(Throwable error) {
        model.meters().count(Outcome.ERROR);
        LOG.log(Level.WARNING, "inference failed on " + model.name() + "/" + model.version(), error);
        context.runOnContext(v -> Responses.error(response, 500, "inference failed: " + Errors.forClient(error.getMessage())));
      }
    });
    switch (admission) {
      case ACCEPTED -> { }
      case QUEUE_FULL -> {
        response.putHeader("retry-after", RETRY_AFTER_SECONDS);
        Responses.error(response, 503, "model " + model.name() + "/" + model.version()
            + " has a full queue; retry later");
      }
      case CLOSED -> {
        response.putHeader("retry-after", RETRY_AFTER_SECONDS);
        Responses.error(response, 503, "model " + model.name() + "/" + model.version() + " is being unloaded");
      }
    }
  }
}
