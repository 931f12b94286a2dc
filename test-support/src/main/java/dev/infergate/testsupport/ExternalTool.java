package dev.infergate.testsupport;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A command-line tool a check runs (kubectl, promtool): found on the PATH, run with a time limit,
 * its stdout and stderr captured. A missing tool fails the test with the install hint, never skips
 * it, so CI cannot pass by not checking.
 */
public final class ExternalTool {
  private static final long TIMEOUT_SECONDS = 120;

  private final String name;
  private final String installHint;

  public ExternalTool(String name, String installHint) {
    this.name = name;
    this.installHint = installHint;
  }

  /** The tool's path; throws with the install hint when it is not on the PATH. */
  public Path require() {
    return find()
        .orElseThrow(() -> new AssertionError("'" + name + "' is not on the PATH. " + installHint));
  }

  /** The tool's path, or empty when it is not on the PATH. */
  public Optional<Path> find() {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /** Runs the tool with {@code args}, feeding {@code stdin} (may be null), and waits for it. */
  public Result run(String stdin, String... args) {
    List<String> command = new ArrayList<>();
    command.add(require().toString());
    command.addAll(List.of(args));
    try {
      Process process = new ProcessBuilder(command).start();
      // Both streams at once: a tool that fills one pipe while we block on the other hangs.
      CompletableFuture<String> out = drain(process.getInputStream());
      CompletableFuture<String> err = drain(process.getErrorStream());
      try (var in = process.getOutputStream()) {
        if (stdin != null) {
          in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
      }
      if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(
            String.join(" ", command) + " did not finish in " + TIMEOUT_SECONDS + " s");
      }
      return new Result(process.exitValue(), out.join(), err.join());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static CompletableFuture<String> drain(InputStream stream) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (stream) {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  /** What one run printed and how it exited. */
  public record Result(int exitCode, String stdout, String stderr) {
    public String describe() {
      return "exit " + exitCode + "\n--- stdout ---\n" + stdout + "\n--- stderr ---\n" + stderr;
    }
  }
}
