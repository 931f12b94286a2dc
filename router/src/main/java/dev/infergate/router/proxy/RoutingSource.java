package dev.infergate.router.proxy;

import dev.infergate.router.routing.RoutingTable;

/** Where the pipeline reads the current routing snapshot from (once per request). */
@FunctionalInterface
public interface RoutingSource {
  RoutingTable current();
}
