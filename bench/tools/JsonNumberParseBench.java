// Jackson number parsing with and without StreamReadFeature.USE_FAST_DOUBLE_PARSER, on the JSON of one
// image-sized tensor (150,528 float32 values widened to doubles, as Python's json writes them).
//   mvn -B -q -DskipTests package
//   java -cp model-server/target/model-server.jar bench/tools/JsonNumberParseBench.java
import com.fasterxml.jackson.core.*;
import java.util.*;
public class JsonNumberParseBench {
  public static void main(String[] a) throws Exception {
    Random r = new Random(1);
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < 150528; i++) { if (i > 0) sb.append(','); sb.append((double) r.nextFloat()); }
    byte[] bytes = sb.append(']').toString().getBytes();
    JsonFactory plain = JsonFactory.builder().build();
    JsonFactory fast = JsonFactory.builder().enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER).build();
    for (int round = 0; round < 6; round++) {
      for (JsonFactory f : new JsonFactory[] {plain, fast}) {
        long t = System.nanoTime(); double sum = 0; int n = 0;
        for (int k = 0; k < 20; k++) {
          try (JsonParser p = f.createParser(bytes)) {
            p.nextToken();
            JsonToken tok;
            while ((tok = p.nextToken()) != JsonToken.END_ARRAY) { sum += p.getDoubleValue(); n++; }
          }
        }
        long ns = System.nanoTime() - t;
        if (round >= 2) System.out.printf("%s: %.0f ns/number (sum %.1f)%n", f == plain ? "plain" : "fast ", (double) ns / n, sum);
      }
    }
  }
}
