package dev.infergate.router.http;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;

/**
 * Why the listener's HTTP decoder refused a request, from the exception it reported (Netty's types,
 * which stay here so that the request pipeline depends on no Netty class). Stateless.
 */
public enum DecoderFailure {
  /** The header block is over the listener's limit (431). */
  HEADERS_TOO_LARGE,
  /** The request line is over the limit (414). */
  LINE_TOO_LONG,
  /** Anything else (400). */
  OTHER;

  public static DecoderFailure of(Throwable cause) {
    if (cause instanceof TooLongHttpHeaderException) {
      return HEADERS_TOO_LARGE;
    }
    if (cause instanceof TooLongHttpLineException) {
      return LINE_TOO_LONG;
    }
    return OTHER;
  }
}
