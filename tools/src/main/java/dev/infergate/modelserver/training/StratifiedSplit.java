package dev.infergate.modelserver.training;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.tribuo.Example;
import org.tribuo.classification.Label;

/**
 * A seeded train/test split that keeps each label's share the same in both parts, so a 150-row data
 * set with 3 classes cannot end up testing mostly one class.
 */
record StratifiedSplit(List<Example<Label>> train, List<Example<Label>> test) {

  /**
   * Shuffles each label's rows with {@code new Random(seed)} and puts {@code round(trainFraction *
   * n)} of them into {@code train}, the rest into {@code test}. Same input and seed, same split.
   */
  static StratifiedSplit of(List<Example<Label>> examples, double trainFraction, long seed) {
    if (!(trainFraction > 0 && trainFraction < 1)) {
      throw new IllegalArgumentException("trainFraction must be in (0, 1), was " + trainFraction);
    }
    // Insertion order (first appearance in the file) keeps the split independent of hash order.
    Map<String, List<Example<Label>>> byLabel = new LinkedHashMap<>();
    for (Example<Label> example : examples) {
      byLabel.computeIfAbsent(example.getOutput().getLabel(), k -> new ArrayList<>()).add(example);
    }
    Random random = new Random(seed);
    List<Example<Label>> train = new ArrayList<>();
    List<Example<Label>> test = new ArrayList<>();
    for (List<Example<Label>> rows : byLabel.values()) {
      List<Example<Label>> shuffled = new ArrayList<>(rows);
      Collections.shuffle(shuffled, random);
      int trainCount = (int) Math.round(trainFraction * shuffled.size());
      train.addAll(shuffled.subList(0, trainCount));
      test.addAll(shuffled.subList(trainCount, shuffled.size()));
    }
    return new StratifiedSplit(List.copyOf(train), List.copyOf(test));
  }
}
