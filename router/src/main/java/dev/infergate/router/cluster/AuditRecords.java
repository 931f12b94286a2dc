package dev.infergate.router.cluster;

import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Instant;

/** Reads the shared audit stream: entries as the admin API's JSON records, newest first. */
final class AuditRecords {
  private static final int PAGE = 500;

  /**
   * A filtered read scans at most this many pages (the stream is trimmed near 10 000 entries
   * anyway).
   */
  private static final int MAX_PAGES = 20;

  private AuditRecords() {}

  /** The newest {@code limit} records of {@code service} (null: all) in the stream {@code key}. */
  static Future<JsonArray> newest(
      RedisLink link, String key, String service, int limit, long timeoutMillis) {
    JsonArray records = new JsonArray();
    return page(link, key, "+", service, limit, records, 0, timeoutMillis).map(records);
  }

  /** {@link #PAGE} entries a call, until {@code limit} matched or the stream ends. */
  private static Future<Void> page(
      RedisLink link,
      String key,
      String end,
      String service,
      int limit,
      JsonArray records,
      int page,
      long timeoutMillis) {
    Request range =
        Request.cmd(Command.XREVRANGE).arg(key).arg(end).arg("-").arg("COUNT").arg(PAGE);
    return link.send(range, timeoutMillis)
        .compose(
            entries -> {
              String last = null;
              for (Response entry : entries) {
                last = entry.get(0).toString();
                JsonObject record = fromStream(last, entry.get(1));
                if (service == null || service.equals(record.getString("service"))) {
                  records.add(record);
                  if (records.size() == limit) {
                    return Future.succeededFuture();
                  }
                }
              }
              if (last == null || entries.size() < PAGE || page + 1 >= MAX_PAGES) {
                return Future.succeededFuture();
              }
              return page(link, key, "(" + last, service, limit, records, page + 1, timeoutMillis);
            });
  }

  /**
   * {@code id} is the stream entry id ({@code <millis>-<n>}, Redis's clock); {@code fields} its
   * field list.
   */
  static JsonObject fromStream(String id, Response fields) {
    JsonObject record = new JsonObject().put("id", id);
    int dash = id.indexOf('-');
    try {
      record.put(
          "time",
          Instant.ofEpochMilli(Long.parseLong(dash < 0 ? id : id.substring(0, dash))).toString());
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
