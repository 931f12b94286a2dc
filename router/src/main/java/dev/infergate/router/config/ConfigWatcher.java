package dev.infergate.router.config;

import io.vertx.core.Vertx;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Polls the config file from a Vert.x timer and hands each valid changed version to a listener. The
 * file is read and parsed on a worker thread, never on an event loop. An invalid version is logged
 * and refused; the listener keeps whatever it had. Polling the content (not the mtime) also catches
 * editors and ConfigMap updates that replace the file with an equal mtime.
 */
public final class ConfigWatcher {
  /** Told about every changed version of the file; called on a worker thread. */
  public interface Listener {
    /**
     * The config a valid file change would put in force (e.g. with restart-only fields kept); a
     * ConfigException refuses the change as an invalid file would be. By default the parsed config.
     */
    default RouterConfig effective(RouterConfig parsed) throws ConfigException {
      return parsed;
    }

    /** Applies a valid new config; a RuntimeException means it was not applied. */
    void apply(RouterConfig config);

    void rejected(String reason);
  }

  private static final Logger LOG = Logger.getLogger(ConfigWatcher.class.getName());

  private final Vertx vertx;
  private final ConfigLoader loader;
  private final Listener listener;
  private final Object lock = new Object();
  private String lastText;
  private String lastRejected;
  private long timerId = -1;
  private volatile boolean busy;

  /**
   * @param appliedText the text of the config that is in force now
   */
  public ConfigWatcher(Vertx vertx, ConfigLoader loader, String appliedText, Listener listener) {
    this.vertx = vertx;
    this.loader = loader;
    this.lastText = appliedText;
    this.listener = listener;
  }

  public void start(long intervalMillis) {
    if (intervalMillis > 0) {
      timerId = vertx.setPeriodic(intervalMillis, id -> poll());
    }
  }

  public void stop() {
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
    }
  }

  private void poll() {
    if (busy) {
      return;
    }
    busy = true;
    vertx
        .executeBlocking(
            () -> {
              checkOnce();
              return null;
            },
            false)
        .onComplete(ar -> busy = false);
  }

  /** Reads the file once and applies it when it changed and is valid. Blocking. */
  void checkOnce() {
    String text;
    try {
      text = loader.read();
    } catch (ConfigException e) {
      reject(null, e);
      return;
    }
    synchronized (lock) {
      if (text.equals(lastText) || text.equals(lastRejected)) {
        return;
      }
    }
    RouterConfig config;
    try {
      config = loader.parse(text);
    } catch (ConfigException e) {
      reject(text, e);
      return;
    }
    try {
      config = listener.effective(config);
    } catch (ConfigException e) {
      reject(text, e);
      return;
    }
    synchronized (lock) {
      lastText = text;
      lastRejected = null;
    }
    try {
      listener.apply(config);
      LOG.info("config reloaded from " + loader.file());
    } catch (RuntimeException e) {
      LOG.log(Level.SEVERE, "config change could not be applied, old config kept", e);
      listener.rejected(String.valueOf(e.getMessage()));
    }
  }

  private void reject(String text, ConfigException e) {
    synchronized (lock) {
      if (text != null && text.equals(lastRejected)) {
        return;
      }
      lastRejected = text;
    }
    LOG.warning("config change refused, old config kept: " + e.getMessage());
    listener.rejected(e.getMessage());
  }
}
