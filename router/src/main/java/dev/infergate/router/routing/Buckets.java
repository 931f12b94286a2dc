package dev.infergate.router.routing;

import dev.infergate.router.config.Weights;
import java.nio.charset.StandardCharsets;
import java.util.random.RandomGenerator;

/**
 * Maps a consumer to a bucket in [0, {@value #COUNT}): Murmur3 (x86, 32-bit) of the UTF-8 bytes, so
 * the bucket is the same on every router replica and JVM (unlike {@code String.hashCode} spreading,
 * which clusters similar ids). Stateless; thread-safe.
 */
public final class Buckets {
  /** Buckets per service: weights are percent, so one percent is 100 buckets. */
  public static final int COUNT = 10_000;

  public static final int PER_PERCENT = COUNT / Weights.TOTAL;
  private static final int SEED = 0x1f_a7e;

  private Buckets() {}

  public static int of(String consumer) {
    int h = murmur3(consumer.getBytes(StandardCharsets.UTF_8), SEED);
    return (int) (Integer.toUnsignedLong(h) % COUNT);
  }

  /** A fresh bucket for a request with no consumer. */
  public static int random(RandomGenerator random) {
    return random.nextInt(COUNT);
  }

  static int murmur3(byte[] data, int seed) {
    final int c1 = 0xcc9e2d51;
    final int c2 = 0x1b873593;
    int h = seed;
    int len = data.length;
    int blocks = len / 4;
    for (int i = 0; i < blocks; i++) {
      int j = i * 4;
      int k =
          (data[j] & 0xff)
              | (data[j + 1] & 0xff) << 8
              | (data[j + 2] & 0xff) << 16
              | (data[j + 3] & 0xff) << 24;
      k *= c1;
      k = Integer.rotateLeft(k, 15);
      k *= c2;
      h ^= k;
      h = Integer.rotateLeft(h, 13);
      h = h * 5 + 0xe6546b64;
    }
    int tail = blocks * 4;
    int k = 0;
    switch (len & 3) {
      case 3:
        k ^= (data[tail + 2] & 0xff) << 16;
      // fall through
      case 2:
        k ^= (data[tail + 1] & 0xff) << 8;
      // fall through
      case 1:
        k ^= data[tail] & 0xff;
        k *= c1;
        k = Integer.rotateLeft(k, 15);
        k *= c2;
        h ^= k;
        break;
      default:
        break;
    }
    h ^= len;
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }
}
