package dev.infergate.modelserver.http;

import dev.infergate.modelserver.protocol.ProtocolException;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import java.util.zip.ZipException;

/**
 * HTTP content codings of inference bodies (RFC 9110 §8.4): {@code gzip} and {@code deflate}
 * request bodies are decoded before the codec, with the body limit on the decoded size; answers of
 * at least {@link #MIN_COMPRESSED_BYTES} are compressed for clients whose {@code Accept-Encoding}
 * allows it.
 *
 * <p>Where the work runs (measured with the JDK's zlib on the 2-core CI machine, under load: JSON
 * of random floats, and zeros): inflating gives 245 MB/s of JSON, 456 MB/s of zeros, so the {@link
 * #LOOP_INFLATE_BYTES} the event loop may inflate cost at most ~0.3 ms, about what parsing that
 * much JSON costs there; the default 8 MiB limit would cost ~35 ms, so a body that decodes to more
 * is finished on a worker, as large JSON is parsed there. Deflating at {@link Deflater#BEST_SPEED}
 * gives 82 MB/s on JSON (2x smaller), too slow for the loop: answers are compressed on the
 * inference worker that encoded them.
 */
final class Compression {
  /**
   * Answers below this many bytes go out plain: a smaller one gains nothing worth the CPU and the
   * header.
   */
  static final int MIN_COMPRESSED_BYTES = 1024;

  /**
   * Decoded bytes of a request body that may be inflated on the event loop before the rest moves to
   * a worker.
   */
  static final int LOOP_INFLATE_BYTES = 64 * 1024;

  /**
   * Output read from the inflater at a time: the most a decoded body can pass the limit by before
   * it is refused.
   */
  static final int READ_CHUNK_BYTES = 16 * 1024;

  /** A content coding this server reads and writes. */
  enum Coding {
    IDENTITY(null),
    GZIP("gzip"),
    DEFLATE("deflate");

    private final String token;

    Coding(String token) {
      this.token = token;
    }

    /** The {@code Content-Encoding} value; null for identity, which is sent as no header at all. */
    String token() {
      return token;
    }
  }

  private Compression() {}

  /**
   * The coding of a request body from its {@code Content-Encoding} (null: none). One coding only: a
   * list ({@code gzip, gzip}) would let a small body decode in several rounds, and no client sends
   * one.
   *
   * @throws ProtocolException 415 for a coding this server does not decode
   */
  static Coding requestCoding(String contentEncoding) {
    if (contentEncoding == null) {
      return Coding.IDENTITY;
    }
    switch (contentEncoding.trim().toLowerCase(Locale.ROOT)) {
      case "", "identity":
        return Coding.IDENTITY;
      case "gzip", "x-gzip":
        return Coding.GZIP;
      case "deflate":
        return Coding.DEFLATE;
      default:
        throw new ProtocolException(
            415, "unsupported Content-Encoding; send one of gzip, deflate or identity");
    }
  }

  /**
   * The coding to answer with for {@code acceptEncoding} (RFC 9110 §12.5.3): gzip when acceptable,
   * else deflate, else identity. A coding with {@code q=0} is refused; {@code *} stands for codings
   * not named.
   */
  static Coding responseCoding(String acceptEncoding) {
    if (acceptEncoding == null || acceptEncoding.isEmpty()) {
      return Coding.IDENTITY;
    }
    float gzip = -1;
    float deflate = -1;
    float any = -1;
    for (String element : acceptEncoding.split(",")) {
      String[] parts = element.split(";");
      String coding = parts[0].trim().toLowerCase(Locale.ROOT);
      float q = 1;
      for (int i = 1; i < parts.length; i++) {
        String param = parts[i].trim();
        if (param.length() > 2
            && (param.charAt(0) == 'q' || param.charAt(0) == 'Q')
            && param.charAt(1) == '=') {
          try {
            q = Float.parseFloat(param.substring(2).trim());
          } catch (NumberFormatException e) {
            q = 0; // an unreadable weight is not an acceptance
          }
        }
      }
      switch (coding) {
        case "gzip", "x-gzip" -> gzip = Math.max(gzip, q);
        case "deflate" -> deflate = Math.max(deflate, q);
        case "*" -> any = Math.max(any, q);
        default -> {}
      }
    }
    float gzipQ = gzip >= 0 ? gzip : any;
    float deflateQ = deflate >= 0 ? deflate : any;
    if (gzipQ > 0 && gzipQ >= deflateQ) {
      return Coding.GZIP;
    }
    return deflateQ > 0 ? Coding.DEFLATE : Coding.IDENTITY;
  }

  /**
   * {@code body} compressed in {@code coding} at {@link Deflater#BEST_SPEED}; call off the event
   * loop.
   */
  static Buffer compress(Buffer body, Coding coding) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(Math.max(64, body.length() / 4));
    try (DeflaterOutputStream out =
        coding == Coding.GZIP ? new FastGzip(bytes) : new FastDeflate(bytes)) {
      out.write(body.getBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
    }
    return Buffer.buffer(bytes.toByteArray());
  }

  /**
   * The JDK's gzip stream at {@link Deflater#BEST_SPEED} (it picks the default level, ~3x slower on
   * JSON).
   */
  private static final class FastGzip extends GZIPOutputStream {
    FastGzip(ByteArrayOutputStream out) throws IOException {
      super(out, 8192);
      def.setLevel(Deflater.BEST_SPEED);
    }
  }

  /** zlib-wrapped deflate at {@link Deflater#BEST_SPEED}; closing ends its deflater. */
  private static final class FastDeflate extends DeflaterOutputStream {
    FastDeflate(ByteArrayOutputStream out) {
      super(out, new Deflater(Deflater.BEST_SPEED), 8192);
    }

    @Override
    public void close() throws IOException {
      try {
        super.close();
      } finally {
        def.end();
      }
    }
  }

  /**
   * Decodes one request body in steps, so the event loop can do the first and a worker the rest.
   * Not thread-safe: one thread at a time (the loop, then the worker after a happens-before
   * hand-off). Holds a native inflater: close it.
   */
  static final class Inflating implements AutoCloseable {
    private final Coding coding;
    private final long limit;
    private final InputStream in;
    private final Inflater inflater;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final byte[] chunk = new byte[READ_CHUNK_BYTES];
    private boolean done;

    Inflating(Coding coding, byte[] encoded, long limit) {
      this.coding = coding;
      this.limit = limit;
      ByteArrayInputStream source = new ByteArrayInputStream(encoded);
      try {
        if (coding == Coding.GZIP) {
          inflater = null;
          in = new GZIPInputStream(source, 8192);
        } else {
          // RFC 9110's deflate is zlib-wrapped (RFC 1950); some clients send raw deflate (RFC
          // 1951).
          inflater = new Inflater(!zlibHeader(encoded));
          in = new InflaterInputStream(source, inflater, 8192);
        }
      } catch (ZipException | EOFException e) {
        throw invalid();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /**
     * Inflates until the body ends or {@code budget} more bytes are out.
     *
     * @return true when the whole body is decoded
     * @throws ProtocolException 413 when the decoded size passes the limit (inflating stops there),
     *     400 when the body is not valid in its coding
     */
    boolean inflate(long budget) {
      long stopAt = budget > Long.MAX_VALUE - out.size() ? Long.MAX_VALUE : out.size() + budget;
      try {
        while (out.size() < stopAt) {
          int n = in.read(chunk, 0, chunk.length);
          if (n < 0) {
            done = true;
            return true;
          }
          out.write(chunk, 0, n);
          if (out.size() > limit) {
            throw new ProtocolException(
                413,
                "the request body's decoded size is larger than the limit of " + limit + " bytes");
          }
        }
        return false;
      } catch (ZipException | EOFException e) {
        throw invalid();
      } catch (IOException e) {
        throw new UncheckedIOException(e); // a ByteArrayInputStream does not fail
      }
    }

    /** The decoded body, once {@link #inflate} said it is done. */
    Buffer decoded() {
      if (!done) {
        throw new IllegalStateException("the body is not fully decoded");
      }
      return Buffer.buffer(out.toByteArray());
    }

    long inflatedBytes() {
      return out.size();
    }

    private ProtocolException invalid() {
      return ProtocolException.badRequest(
          "the request body is not valid "
              + coding.token()
              + " (Content-Encoding: "
              + coding.token()
              + ")");
    }

    @Override
    public void close() {
      try {
        in.close(); // ends the stream's own inflater
      } catch (IOException e) {
        // nothing to free beyond the inflater
      }
      if (inflater != null) {
        inflater.end();
      }
    }

    /**
     * A zlib stream starts with CMF (method 8, window ≤ 32 KiB) and FLG such that CMF*256+FLG is a
     * multiple of 31.
     */
    private static boolean zlibHeader(byte[] data) {
      if (data.length < 2) {
        return true;
      }
      int cmf = data[0] & 0xff;
      int flg = data[1] & 0xff;
      return (cmf & 0x0f) == 8 && (cmf >> 4) <= 7 && (cmf * 256 + flg) % 31 == 0;
    }
  }
}
