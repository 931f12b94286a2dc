package dev.infergate.modelserver.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The inference parser reads numbers with Jackson's fast double parser: every value must be exactly
 * what {@link Double#parseDouble} gives, for the shortest and the long (17-digit, exponent) forms
 * clients write, across magnitudes.
 */
class JsonNumbersTest {
  @Test
  void readsEveryNumberExactlyAsDoubleParseDoubleDoes() throws Exception {
    Random random = new Random(42);
    int count = 100_000;
    String[] texts = new String[count];
    StringBuilder json = new StringBuilder("[");
    for (int i = 0; i < count; i++) {
      double value =
          switch (i % 4) {
            case 0 -> random.nextFloat(); // a float32 widened, as Python writes it
            case 1 -> random.nextGaussian() * Math.pow(10, random.nextInt(40) - 20);
            case 2 ->
                Double.longBitsToDouble(
                    random.nextLong() & 0x7fefffffffffffffL); // any finite positive double
            default -> -random.nextDouble() * 1e6;
          };
      texts[i] =
          i % 8 == 3
              ? String.format(java.util.Locale.ROOT, "%.17e", value)
              : Double.toString(value);
      json.append(i == 0 ? "" : ",").append(texts[i]);
    }
    byte[] bytes = json.append(']').toString().getBytes(StandardCharsets.US_ASCII);
    try (JsonParser parser = Json.parser(bytes, bytes.length)) {
      assertEquals(JsonToken.START_ARRAY, parser.nextToken());
      for (int i = 0; i < count; i++) {
        parser.nextToken();
        assertEquals(
            Double.doubleToLongBits(Double.parseDouble(texts[i])),
            Double.doubleToLongBits(parser.getDoubleValue()),
            texts[i]);
      }
    }
  }
}
