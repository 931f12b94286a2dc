package dev.infergate.modelserver.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Dockerfile read the way the builder reads it, as far as the checks need: continuation lines
 * joined, comments dropped, global {@code ARG} defaults substituted into {@code FROM}, split into
 * stages.
 */
record Dockerfile(Path path, List<Stage> stages) {
  private static final Pattern ARG_REF = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

  /**
   * One build stage: its base (after ARG substitution), its alias, and its instructions in order.
   */
  record Stage(String from, String alias, List<Instruction> instructions) {
    List<String> all(String keyword) {
      return instructions.stream()
          .filter(i -> i.keyword().equals(keyword))
          .map(Instruction::arguments)
          .toList();
    }

    Optional<String> last(String keyword) {
      List<String> all = all(keyword);
      return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }
  }

  record Instruction(String keyword, String arguments) {}

  static Dockerfile read(Path path) {
    try {
      return parse(path, Files.readString(path));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Dockerfile parse(Path path, String text) {
    Map<String, String> globalArgs = new HashMap<>();
    List<Stage> stages = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    for (String raw : text.split("\n")) {
      String trimmed = raw.strip();
      // Comment and blank lines are dropped, inside a continued instruction too, as the builder
      // does.
      if (trimmed.isEmpty() || trimmed.startsWith("#")) {
        continue;
      }
      if (trimmed.endsWith("\\")) {
        line.append(trimmed, 0, trimmed.length() - 1).append(' ');
        continue;
      }
      line.append(trimmed);
      String instruction = line.toString().strip();
      line.setLength(0);
      int space = instruction.indexOf(' ');
      String keyword = instruction.substring(0, space).toUpperCase(Locale.ROOT);
      String arguments = instruction.substring(space + 1).strip();
      if (keyword.equals("ARG") && stages.isEmpty()) {
        String[] kv = arguments.split("=", 2);
        globalArgs.put(kv[0], kv.length > 1 ? kv[1] : "");
      } else if (keyword.equals("FROM")) {
        String[] words = substitute(arguments, globalArgs).split("\\s+");
        String alias = words.length >= 3 && words[1].equalsIgnoreCase("AS") ? words[2] : null;
        stages.add(new Stage(words[0], alias, new ArrayList<>()));
      } else if (!stages.isEmpty()) {
        stages.get(stages.size() - 1).instructions().add(new Instruction(keyword, arguments));
      }
    }
    return new Dockerfile(path, stages);
  }

  Stage stage(String alias) {
    return stages.stream()
        .filter(s -> alias.equals(s.alias()))
        .findFirst()
        .orElseThrow(() -> new AssertionError(path + " has no stage " + alias));
  }

  /** The stage {@code docker build} without {@code --target} produces. */
  Stage last() {
    return stages.get(stages.size() - 1);
  }

  boolean isStage(String name) {
    return stages.stream().anyMatch(s -> name.equals(s.alias()));
  }

  private static String substitute(String text, Map<String, String> args) {
    Matcher m = ARG_REF.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = args.get(m.group(1));
      if (value == null) {
        throw new AssertionError("FROM uses ${" + m.group(1) + "} without a global ARG default");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }
}
