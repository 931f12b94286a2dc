package dev.infergate.router.cluster;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Response;
import java.time.Instant;

/** Shared audit stream entries as the admin API's JSON records. */
final class AuditRecords {
  private AuditRecords() {}

  /** {@code id} is the stream entry id ({@code <millis>-<n>}, Redis's clock); {@code fields} its field list. */
  static JsonObject fromStream(String id, Response fields) {
    JsonObject record = new JsonObject().put("id", id);
    int dash = id.indexOf('-');
    try {
      record.put("time", Instant.ofEpochMilli(Long.parseLong(dash < 0 ? id : id.substring(0, dash))).toString());
    } catch (NumberFormatException e) {
      // not a Redis-made id; leave the time out
    }
    for (int i = 0; i + 1 < fields.size(); i += 2) {
      String name = fields.get(i).toString();
      String value = fields.get(i + 1).toString();
      switch (name) {
        case "old", "new", "requested" -> record.put(name, json(value));
        case "version", "basedOn" -> record.put(name, number(value));
        default -> record.put(name, value);
      }
    }
    return record;
  }

  private static Object json(String value) {
    try {
      return new JsonObject(value);
    } catch (DecodeException | ClassCastException e) {
      return value;
    }
  }

  private static Object number(String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      return value;
    }
  }
}
