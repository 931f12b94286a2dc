package dev.infergate.router.testsupport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A separate OS process started by a test, its output collected on a daemon thread. Ready when a
 * line matching the given pattern appears (its group 1 is the port). Thread-safe.
 */
public final class LaunchedProcess implements AutoCloseable {
  private final String name;
  private final Process process;
  private final List<String> lines = new ArrayList<>();

  private LaunchedProcess(String name, Process process) {
    this.name = name;
    this.process = process;
  }

  public static LaunchedProcess start(String name, List<String> command) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    LaunchedProcess lp = new LaunchedProcess(name, p);
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  synchronized (lp.lines) {
                    lp.lines.add(line);
                  }
                }
              } catch (IOException ignored) {
                // The process went away.
              }
            },
            name + "-output");
    reader.setDaemon(true);
    reader.start();
    return lp;
  }

  /** Waits for a line matching {@code ready} and returns its group 1 as a port. */
  public int awaitPort(Pattern ready, Duration timeout) {
    int[] port = new int[1];
    Poll.until(
        timeout,
        () -> {
          if (!process.isAlive()) {
            throw new AssertionError(
                name + " exited with " + process.exitValue() + ":\n" + output());
          }
          synchronized (lines) {
            for (String l : lines) {
              Matcher m = ready.matcher(l);
              if (m.find()) {
                port[0] = Integer.parseInt(m.group(1));
                return true;
              }
            }
          }
          return false;
        },
        name + " to print " + ready.pattern());
    return port[0];
  }

  public String output() {
    synchronized (lines) {
      return String.join("\n", lines);
    }
  }

  public Process process() {
    return process;
  }

  /** SIGKILL. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM; returns the exit code, waiting at most {@code timeout}. */
  public int terminate(Duration timeout) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError(
          name + " did not exit within " + timeout + " of SIGTERM:\n" + output());
    }
    return process.exitValue();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }

  /** The java executable running these tests. */
  public static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /**
   * Finds a path of the repository from the router module (surefire's working directory) or the
   * root.
   */
  public static Path repoPath(String relative) {
    for (Path p : List.of(Path.of("..").resolve(relative), Path.of(relative))) {
      if (Files.exists(p)) {
        return p.toAbsolutePath().normalize();
      }
    }
    throw new AssertionError(
        "cannot find "
            + relative
            + " from "
            + Path.of("").toAbsolutePath()
            + (relative.endsWith(".jar")
                ? " (build it: mvn -B -pl model-server -DskipTests package)"
                : ""));
  }
}
