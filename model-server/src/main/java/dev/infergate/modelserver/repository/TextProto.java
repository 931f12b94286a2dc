package dev.infergate.modelserver.repository;

import dev.infergate.modelserver.config.ConfigException;
import java.util.ArrayList;
import java.util.List;

/**
 * The subset of the protobuf text format that Triton's {@code config.pbtxt} files use: fields
 * {@code name: scalar}, {@code name { ... }} / {@code name: { ... }}, lists {@code name: [a, b]}
 * and {@code name [{ ... }, { ... }]}, {@code #} comments, {@code ,} or {@code ;} between fields.
 * No extensions, {@code Any} or {@code <...>} messages. Errors name the file and line.
 */
final class TextProto {
  /** One field as written, with the line it starts on; a repeated field appears once per value. */
  record Field(String name, int line, Object value) {
    boolean isMessage() {
      return value instanceof Message;
    }
  }

  /** A message: its fields in file order. */
  record Message(List<Field> fields) {}

  /**
   * A scalar as written: {@code quoted} for string literals (unescaped), else a number, enum name
   * or bool.
   */
  record Scalar(String text, boolean quoted) {}

  private final String source;
  private final String file;
  private int pos;
  private int line = 1;

  private TextProto(String source, String file) {
    this.source = source;
    this.file = file;
  }

  static Message parse(String source, String file) {
    TextProto parser = new TextProto(source, file);
    Message message = parser.message(false);
    parser.skipSpace();
    if (parser.pos < source.length()) {
      throw parser.error("unexpected '" + source.charAt(parser.pos) + "'");
    }
    return message;
  }

  private Message message(boolean braced) {
    List<Field> fields = new ArrayList<>();
    while (true) {
      skipSpace();
      if (pos >= source.length()) {
        if (braced) {
          throw error("missing '}'");
        }
        return new Message(fields);
      }
      if (peek() == '}') {
        if (!braced) {
          throw error("unexpected '}'");
        }
        pos++;
        return new Message(fields);
      }
      int fieldLine = line;
      String name = identifier();
      skipSpace();
      boolean colon = peek() == ':';
      if (colon) {
        pos++;
        skipSpace();
      }
      if (peek() == '[') {
        pos++;
        skipSpace();
        if (peek() == ']') {
          pos++;
        } else {
          while (true) {
            fields.add(new Field(name, line, value(colon)));
            skipSpace();
            char next = peek();
            pos++;
            if (next == ']') {
              break;
            }
            if (next != ',') {
              throw error("expected ',' or ']' in the list '" + name + "'");
            }
            skipSpace();
          }
        }
      } else {
        fields.add(new Field(name, fieldLine, value(colon)));
      }
      skipSpace();
      if (pos < source.length() && (peek() == ',' || peek() == ';')) {
        pos++;
      }
    }
  }

  private Object value(boolean colon) {
    skipSpace();
    if (peek() == '{') {
      pos++;
      return message(true);
    }
    if (peek() == '<') {
      throw error("'<...>' messages are not supported; write '{...}'");
    }
    if (!colon) {
      throw error("expected ':' or '{'");
    }
    if (peek() == '"' || peek() == '\'') {
      return new Scalar(string(), true);
    }
    int start = pos;
    while (pos < source.length()
        && (Character.isLetterOrDigit(peek()) || "+-._".indexOf(peek()) >= 0)) {
      pos++;
    }
    if (start == pos) {
      throw error(pos < source.length() ? "unexpected '" + peek() + "'" : "a value is missing");
    }
    return new Scalar(source.substring(start, pos), false);
  }

  private String string() {
    char quote = source.charAt(pos++);
    StringBuilder text = new StringBuilder();
    while (true) {
      if (pos >= source.length() || peek() == '\n') {
        throw error("unterminated string");
      }
      char c = source.charAt(pos++);
      if (c == quote) {
        return text.toString();
      }
      if (c == '\\' && pos < source.length()) {
        char escaped = source.charAt(pos++);
        text.append(
            switch (escaped) {
              case 'n' -> '\n';
              case 't' -> '\t';
              default -> escaped;
            });
      } else {
        text.append(c);
      }
    }
  }

  private String identifier() {
    int start = pos;
    while (pos < source.length() && (Character.isLetterOrDigit(peek()) || peek() == '_')) {
      pos++;
    }
    if (start == pos) {
      throw error("expected a field name, found '" + peek() + "'");
    }
    return source.substring(start, pos);
  }

  private void skipSpace() {
    while (pos < source.length()) {
      char c = peek();
      if (c == '#') {
        while (pos < source.length() && peek() != '\n') {
          pos++;
        }
      } else if (Character.isWhitespace(c)) {
        if (c == '\n') {
          line++;
        }
        pos++;
      } else {
        return;
      }
    }
  }

  private char peek() {
    return pos < source.length() ? source.charAt(pos) : '\0';
  }

  private ConfigException error(String message) {
    return new ConfigException(file + ":" + line + ": " + message);
  }
}
