package dev.infergate.router.proxy;

import io.vertx.core.Vertx;

/**
 * Request and try deadlines of one event loop, checked by one periodic sweep instead of a Vert.x
 * timer set and cancelled per request (each is a scheduled task plus a shared-map entry; the sweep
 * costs nothing per request but an array slot). Deadlines fire up to {@link #TICK_MILLIS} late.
 * Confined to its event loop; not thread-safe.
 */
final class Deadlines {
  /** Sweep period: the resolution of every timeout. */
  static final long TICK_MILLIS = 10;

  /** Something with a deadline. */
  interface Watched {
    /** The earliest deadline, {@link System#nanoTime()} based. */
    long nextDeadline();

    /** Called on a sweep at or after {@link #nextDeadline()}; may remove itself. */
    void deadlinePassed(long now);
  }

  private Watched[] slots = new Watched[256];
  private int[] free = new int[256];
  private int freeCount;
  private int used;

  /** Starts sweeping; call on the owning event loop (the timer belongs to its context). */
  void start(Vertx vertx) {
    vertx.setPeriodic(TICK_MILLIS, id -> sweep(System.nanoTime()));
  }

  /** Watches {@code w}; returns its slot for {@link #remove}. */
  int add(Watched w) {
    int slot;
    if (freeCount > 0) {
      slot = free[--freeCount];
    } else {
      if (used == slots.length) {
        slots = java.util.Arrays.copyOf(slots, used * 2);
        free = java.util.Arrays.copyOf(free, used * 2);
      }
      slot = used++;
    }
    slots[slot] = w;
    return slot;
  }

  void remove(int slot) {
    if (slot >= 0 && slots[slot] != null) {
      slots[slot] = null;
      free[freeCount++] = slot;
    }
  }

  void sweep(long now) {
    for (int i = 0; i < used; i++) {
      Watched w = slots[i];
      if (w != null && now - w.nextDeadline() >= 0) {
        w.deadlinePassed(now);
      }
    }
  }
}
