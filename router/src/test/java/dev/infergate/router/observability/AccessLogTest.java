package dev.infergate.router.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class AccessLogTest {
  private static AccessLog.Entry entry(String id, String path) {
    return new AccessLog.Entry(
        1_700_000_000_000L,
        id,
        null,
        "POST",
        path,
        200,
        "iris",
        "stable",
        "127.0.0.1:9001",
        1,
        1_500_000,
        null);
  }

  @Test
  void writesNothingUntilFlushedThenEveryLineInOrder() {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    AccessLog log = new AccessLog(sink, true);
    log.log(entry("a", "/v2/models/iris/infer"));
    log.log(entry("b", "/v2/models/iris/ready"));
    assertEquals(0, sink.size(), "logging is a memory write only");
    log.flush();
    List<String> lines = sink.toString(StandardCharsets.UTF_8).lines().toList();
    assertEquals(2, lines.size());
    assertEquals("a", new JsonObject(lines.get(0)).getString("requestId"));
    assertEquals("/v2/models/iris/ready", new JsonObject(lines.get(1)).getString("path"));
  }

  @Test
  void dropsAndCountsLinesBeyondTheBoundInsteadOfGrowing() {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    AccessLog log = new AccessLog(sink, true);
    String longPath = "/" + "p".repeat(100_000);
    int logged = AccessLog.MAX_PENDING_BYTES / 100_000 + 10;
    for (int i = 0; i < logged; i++) {
      log.log(entry("r" + i, longPath));
    }
    log.flush();
    List<String> lines = sink.toString(StandardCharsets.UTF_8).lines().toList();
    long dropped = new JsonObject(lines.get(lines.size() - 1)).getLong("accessLogLinesDropped");
    assertTrue(dropped >= 10, "dropped " + dropped);
    assertEquals(logged, lines.size() - 1 + dropped);
    assertTrue(sink.size() <= AccessLog.MAX_PENDING_BYTES + 100);
  }

  @Test
  void disabledLogsNothing() {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    AccessLog log = new AccessLog(sink, false);
    log.log(entry("a", "/x"));
    log.flush();
    assertEquals(0, sink.size());
  }
}
