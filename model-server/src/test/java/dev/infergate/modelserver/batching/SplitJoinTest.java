package dev.infergate.modelserver.batching;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SplitJoinTest {
  private final List<List<String>> joined = new ArrayList<>();
  private final List<Throwable> failures = new ArrayList<>();
  private final SplitJoin<String> join = new SplitJoin<>(3, joined::add, failures::add);

  @Test
  void joinsThePartsInPartOrderWhateverOrderTheyFinishIn() {
    join.complete(2, "c");
    join.complete(0, "a");
    assertTrue(joined.isEmpty(), "one part is still running");
    join.complete(1, "b");
    assertEquals(List.of(List.of("a", "b", "c")), joined);
    assertTrue(failures.isEmpty());
  }

  @Test
  void failsTheWholeRequestOnceWhenAnyPartFails() {
    join.complete(0, "a");
    join.fail(new IllegalStateException("part 1"));
    join.fail(new IllegalStateException("part 2"));
    join.complete(1, "b");
    join.complete(2, "c");
    assertEquals(1, failures.size());
    assertEquals("part 1", failures.get(0).getMessage());
    assertTrue(joined.isEmpty(), "no answer after a failure");
  }

  @Test
  void aPartThatCompletesTwiceCountsOnce() {
    join.complete(0, "a");
    join.complete(0, "a");
    join.complete(1, "b");
    assertTrue(joined.isEmpty(), "part 2 has not finished");
    join.complete(2, "c");
    assertEquals(1, joined.size());
  }

  @Test
  void rangesCoverEveryRowOnceInPartsOfAtMostTheBatchSize() {
    List<int[]> ranges = SplitJoin.ranges(10, 4);
    assertEquals(3, ranges.size());
    assertArrayEquals(new int[] {0, 4}, ranges.get(0));
    assertArrayEquals(new int[] {4, 4}, ranges.get(1));
    assertArrayEquals(new int[] {8, 2}, ranges.get(2));
    assertEquals(1, SplitJoin.ranges(4, 4).size());
  }
}
