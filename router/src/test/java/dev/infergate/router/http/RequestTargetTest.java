package dev.infergate.router.http;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The canonical-target rule as a table: each refused target with the words its reason must carry.
 */
class RequestTargetTest {
  @ParameterizedTest
  @ValueSource(
      strings = {
        "/",
        "/v2/health/ready",
        "/v2/models/iris/infer",
        "/v2/models/iris/versions/1/infer",
        "/v1/models/iris:predict",
        "/v1/models/iris/versions/v1.0_rc-2:predict",
        "/v2/models/iris/infer?x=1&y=2",
        "/v2/models/iris/infer?",
        "/v2/models/iris/infer?a=b/c?d",
        "/v2/models/iris/infer?x=a%20b&y=%C3%A9",
        "/v2/models/a%20b/infer",
        "/v2/models/%C3%A9/infer",
        "/v2/models/iris/infer?q=%2e%2e%2f",
        "/a/...",
        "/a/.b/c.",
        "/a~b!$&'()*+,;=:@",
        "/v2/models/iris/infer?%7E",
        "/v2/models/iris/infer?q=100%25&p=a%2Fb",
      })
  void acceptsCanonicalTargets(String target) {
    assertNull(RequestTarget.problem(target), target);
  }

  @ParameterizedTest
  @CsvSource(
      delimiterString = " => ",
      value = {
        "/v2/models/iris/../../v2/repository/index => dot-segment",
        "/v2/models/iris/.. => dot-segment",
        "/v2/models/iris/./infer => dot-segment",
        "/./v2 => dot-segment",
        "/.. => dot-segment",
        "/v2/models/iris/%2e%2e/x => percent-encoded '.'",
        "/v2/models/iris/%2E%2E/x => percent-encoded '.'",
        "/v2/models/iris/.%2e/x => percent-encoded '.'",
        "/v2/models/iris/%2e/x => percent-encoded '.'",
        "/v2/models/iris%2fx => percent-encoded '/'",
        "/v2/models/iris%2Fx => percent-encoded '/'",
        "/v2/models/iris%5cx => percent-encoded '\\'",
        "/v2/models/iris%5Cx => percent-encoded '\\'",
        "/v2/models/iris%252e%252e => double encoding",
        "/v2/models/iris%252f => double encoding",
        "/v2/models/iris%25 => double encoding",
        "/v2/models/iris%2541 => double encoding",
        "/v2/models/%/infer => malformed percent-escape",
        "/v2/models/iris% => malformed percent-escape",
        "/v2/models/iris%2 => malformed percent-escape",
        "/v2/models/iris%2?x => malformed percent-escape",
        "/v2/models/%zz/infer => malformed percent-escape",
        "/v2/models/%G1/infer => malformed percent-escape",
        "/v2/models/%1G/infer => malformed percent-escape",
        "/v2/models/%-1/infer => malformed percent-escape",
        "/v2/models//iris => empty segment",
        "//v2/models/iris => empty segment",
        "/v2/models/iris/ => ends with /",
        "/v2/models/iris/?x=1 => ends with /",
        "/v2/models/iris\\..\\x => backslash",
        "/v2/models/iris%00 => control byte",
        "/v2/models/iris%0a => control byte",
        "/v2/models/iris%0D%0A => control byte",
        "/v2/models/iris%1f => control byte",
        "/v2/models/iris%7F => control byte",
        "/v2/models/%69ris/infer => unreserved",
        "/v2/models/iris%2D1 => unreserved",
        "/v2/models/iris%7e => unreserved",
        "/v2/models/ir is => ' '",
        "/v2/models/iris#frag => '#'",
        "/v2/models/iris\" => '\"'",
        "/v2/models/<iris> => '<'",
        "/v2/models/iris[0] => '['",
        "/v2/models/iris{x} => '{'",
        "/v2/models/iris|x => '|'",
        "/v2/models/iris^ => '^'",
        "/v2/models/iris` => '`'",
        "/v2/models/iris/infer?x=%00 => query has a percent-encoded control byte",
        "/v2/models/iris/infer?x=%1B => query has a percent-encoded control byte",
        "/v2/models/iris/infer?x=%7f => query has a percent-encoded control byte",
        "/v2/models/iris/infer?x=%zz => query has a malformed",
        "/v2/models/iris/infer?x=% => query has a malformed",
        "/v2/models/iris/infer?x=a b => query has the character ' '",
        "/v2/models/iris/infer?x=1#f => query has the character '#'",
        "/v2/models/iris/infer?x=a\\b => query has a backslash",
        "http://127.0.0.1/v2/models/iris/infer => absolute-form",
        "HTTP://x/v2/models/iris/infer => absolute-form",
        "127.0.0.1:8080 => absolute-form",
        "v2/models/iris/infer => absolute-form",
        "* => asterisk-form",
      })
  void refusesNonCanonicalTargets(String target, String reason) {
    String problem = RequestTarget.problem(target);
    assertNotNull(problem, target);
    assertTrue(
        problem.contains(reason.trim()), target + ": '" + problem + "' should say " + reason);
  }

  /**
   * Bytes a CSV table cannot hold: raw control and non-ASCII bytes, in the path and in the query.
   */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "0  | path | control byte",
        "1  | path | control byte",
        "9  | path | control byte",
        "10 | path | control byte",
        "13 | path | control byte",
        "31 | path | control byte",
        "127| path | control byte",
        "128| path | non-ASCII byte",
        "195| path | non-ASCII byte",
        "255| path | non-ASCII byte",
        "0  | query| control byte",
        "10 | query| control byte",
        "127| query| control byte",
        "233| query| non-ASCII byte",
      })
  void refusesRawControlAndNonAsciiBytes(int b, String where, String reason) {
    String target =
        where.trim().equals("path")
            ? "/v2/models/iris" + (char) b + "/infer"
            : "/v2/models/iris/infer?x=" + (char) b;
    String problem = RequestTarget.problem(target);
    assertNotNull(problem, "byte " + b + " in the " + where);
    assertTrue(
        problem.contains(where.trim()) && problem.contains(reason.trim()), b + ": " + problem);
  }

  @org.junit.jupiter.api.Test
  void refusesAnEmptyTarget() {
    assertNotNull(RequestTarget.problem(""));
    assertNotNull(RequestTarget.problem(null));
  }
}
