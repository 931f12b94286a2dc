package dev.infergate.router.admin;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.logging.Logger;

/**
 * One JSON line per operator change, with who made it, the old and the new value: appended to
 * {@code audit.jsonl} beside the state file and logged. Blocking: call from worker threads.
 */
public final class AuditLog {
  private static final Logger LOG = Logger.getLogger("infergate.audit");
  private final Path file;

  public AuditLog(Path file) {
    this.file = file;
  }

  public Path path() {
    return file;
  }

  public synchronized void record(String subject, String action, String service, JsonObject before, JsonObject after)
      throws IOException {
    String line = new JsonObject()
        .put("time", Instant.now().toString())
        .put("subject", subject)
        .put("action", action)
        .put("service", service)
        .put("old", before)
        .put("new", after)
        .encode();
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    LOG.info(line);
  }
}
