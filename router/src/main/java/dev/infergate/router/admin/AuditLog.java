package dev.infergate.router.admin;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Logger;

/**
 * One JSON line per operator change, with who made it, the old and the new value: appended to
 * {@code audit.jsonl} beside the state file, fsynced, and logged. Every line carries a {@code seq}
 * that only grows; the state file remembers the {@code seq} of the last change it holds, which is
 * how {@link RolloutControl} proves at start that every change in force is audited. A change that
 * was audited but never took effect is followed by an {@code "abandoned"} line naming its {@code
 * seq}. The file is opened per record, so moving it away (log rotation) starts a new one. Blocking:
 * call from worker threads; serialised.
 */
public final class AuditLog {
  private static final Logger LOG = Logger.getLogger("infergate.audit");
  static final String ABANDONED = "abandoned";
  private final Path file;
  private long lastSeq;

  public AuditLog(Path file) {
    this.file = file;
  }

  public Path path() {
    return file;
  }

  /**
   * Reads the records already written: the highest {@code seq}, and the changes after {@code
   * appliedSeq} that were neither applied nor abandoned (a crash between this log and the state
   * file). A torn last line (a crash mid-write) is skipped; it never took effect.
   */
  synchronized List<JsonObject> open(long appliedSeq) throws IOException {
    lastSeq = Math.max(lastSeq, appliedSeq);
    List<JsonObject> changes = new ArrayList<>();
    Set<Long> abandoned = new HashSet<>();
    forEachRecord(
        true,
        record -> {
          if (!(record.getValue("seq") instanceof Number seq)) {
            return; // written before records were numbered
          }
          lastSeq = Math.max(lastSeq, seq.longValue());
          if (ABANDONED.equals(record.getString("action"))) {
            abandoned.add(record.getLong("abandons", -1L));
          } else if (seq.longValue() > appliedSeq) {
            changes.add(record);
          }
        });
    changes.removeIf(record -> abandoned.contains(record.getLong("seq")));
    return changes;
  }

  /**
   * Each record of the file in order (none when there is no file), skipping a line that is not a
   * JSON object: a write cut short by a crash, which never took effect ({@code warn}: log it).
   */
  private void forEachRecord(boolean warn, java.util.function.Consumer<JsonObject> each)
      throws IOException {
    if (!Files.exists(file)) {
      return;
    }
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      while ((line = reader.readLine()) != null) {
        JsonObject record;
        try {
          record = new JsonObject(line);
        } catch (DecodeException | ClassCastException e) {
          if (warn) {
            LOG.warning(
                file.getFileName()
                    + ": skipping a line that is not a complete record (a write cut short)");
          }
          continue;
        }
        each.accept(record);
      }
    }
  }

  /** The {@code seq} of the newest record (0: none). */
  public synchronized long lastSeq() {
    return lastSeq;
  }

  /**
   * The newest records, newest first, of {@code service} (null: all), at most {@code limit}. Reads
   * the whole file, keeping only {@code limit} records in memory; a torn line is skipped.
   */
  public synchronized JsonArray recent(String service, int limit) throws IOException {
    java.util.ArrayDeque<JsonObject> newest = new java.util.ArrayDeque<>(limit);
    forEachRecord(
        false,
        record -> {
          if (service == null || service.equals(record.getValue("service"))) {
            if (newest.size() == limit) {
              newest.removeFirst();
            }
            newest.addLast(record);
          }
        });
    JsonArray out = new JsonArray();
    newest.descendingIterator().forEachRemaining(out::add);
    return out;
  }

  /**
   * Appends and fsyncs a record of a change already in force elsewhere (the cluster's shared audit
   * holds the authoritative one); returns its local {@code seq}.
   */
  public synchronized long copy(JsonObject record) throws IOException {
    long seq = lastSeq + 1;
    append(record.copy().put("seq", seq));
    return seq;
  }

  /** Appends and fsyncs a change; returns its {@code seq}. On failure nothing counts as written. */
  public synchronized long record(
      String subject, String action, String service, JsonObject before, JsonObject after)
      throws IOException {
    long seq = lastSeq + 1;
    append(
        new JsonObject()
            .put("seq", seq)
            .put("time", Instant.now().toString())
            .put("subject", subject)
            .put("action", action)
            .put("service", service)
            .put("old", before)
            .put("new", after));
    return seq;
  }

  /** Records that the change {@code seq} did not take effect, and why. */
  public synchronized void abandon(long seq, String service, String reason) throws IOException {
    append(
        new JsonObject()
            .put("seq", lastSeq + 1)
            .put("time", Instant.now().toString())
            .put("action", ABANDONED)
            .put("abandons", seq)
            .put("service", service)
            .put("reason", reason));
  }

  private void append(JsonObject record) throws IOException {
    String line = record.encode();
    Files.createDirectories(file.toAbsolutePath().getParent());
    try (FileChannel channel =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ)) {
      long size = channel.size();
      // A write cut short earlier (disk full) left no newline: start on a line of our own.
      boolean torn = size > 0 && lastByte(channel, size) != '\n';
      ByteBuffer bytes =
          ByteBuffer.wrap(((torn ? "\n" : "") + line + "\n").getBytes(StandardCharsets.UTF_8));
      try {
        long at = size;
        while (bytes.hasRemaining()) {
          at += channel.write(bytes, at);
        }
        channel.force(false);
      } catch (IOException e) {
        try {
          channel.truncate(size);
        } catch (IOException ignored) {
          // the torn tail is skipped on reading and on the next append
        }
        throw e;
      }
    }
    lastSeq = record.getLong("seq");
    LOG.info(line);
  }

  private static byte lastByte(FileChannel channel, long size) throws IOException {
    ByteBuffer one = ByteBuffer.allocate(1);
    channel.read(one, size - 1);
    return one.get(0);
  }
}
