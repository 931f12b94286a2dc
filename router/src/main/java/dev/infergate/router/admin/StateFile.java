package dev.infergate.router.admin;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Persists {@link OperatorState} so run-time changes survive a restart: written to a temporary file,
 * fsynced, then renamed over the old one, so a crash leaves either the old or the new state, never a
 * torn file. Blocking: call from worker threads.
 */
public final class StateFile {
  private final Path file;

  public StateFile(Path file) {
    this.file = file;
  }

  public Path path() {
    return file;
  }

  /** The saved state, or {@link OperatorState#EMPTY} when there is no file yet. */
  public OperatorState load() throws IOException {
    if (!Files.exists(file)) {
      return OperatorState.EMPTY;
    }
    try {
      return OperatorState.fromJson(new JsonObject(Files.readString(file)));
    } catch (DecodeException | ClassCastException e) {
      throw new IOException(file + " is not a valid state file: " + e.getMessage(), e);
    }
  }

  public void save(OperatorState state) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path temp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
    try {
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        channel.write(ByteBuffer.wrap(state.toJson().encodePrettily().getBytes(StandardCharsets.UTF_8)));
        channel.force(true);
      }
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      syncDirectory(dir);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /** Makes the rename itself durable; not every file system allows opening a directory. */
  private static void syncDirectory(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException ignored) {
      // best effort
    }
  }
}
