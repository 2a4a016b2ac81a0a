import assert from "node:assert/strict";
import { UsageError } from "../../lib/base/errors.ts";
import type { MetricSet } from "../../lib/suite/metrics.ts";
import {
  evaluateThresholds,
  parseKnownThreshold,
  parseThreshold,
  THRESHOLD_OPERATORS,
  type ThresholdResult,
} from "../../lib/suite/threshold.ts";

function metrics(): MetricSet {
  return new Map([
    ["handshake.p99", { kind: "duration", value: 7200 }],
    ["handshake.p50", { kind: "duration", value: 30 }],
    ["close.p99.9", { kind: "duration", value: 40_000 }],
    ["firstByte.count", { kind: "count", value: 0 }],
    ["outcome.reset", { kind: "share", value: 5, total: 1000 }],
    ["outcome.clean", { kind: "share", value: 995, total: 1000 }],
    ["noResponse", { kind: "share", value: 0, total: 0 }],
    ["sessionsPerSecond", { kind: "count", value: 1500 }],
    ["server.closeWait", { kind: "count", value: 0 }],
    ["server.timeWait", { kind: "count", value: 3 }],
  ]);
}

function check(expression: string, set: MetricSet = metrics()): ThresholdResult {
  const results = evaluateThresholds([parseThreshold(expression)], set);
  assert.equal(results.length, 1);
  return results[0];
}

/** Asserts the verdict and the message of one threshold. */
function verdict(expression: string, passed: boolean, message: string, set?: MetricSet): void {
  const result = check(expression, set);
  assert.equal(result.message, message, expression);
  assert.equal(result.passed, passed, expression);
}

Deno.test("parseThreshold reads METRIC OP VALUE", async (t) => {
  await t.step("a duration with spaces around the operator", () => {
    assert.deepEqual(parseThreshold("  close.p99.9 < 50ms "), {
      expression: "close.p99.9 < 50ms",
      metric: "close.p99.9",
      operator: "<",
      value: 50,
      unit: "ms",
      limitText: "50ms",
    });
  });
  await t.step("a percentage", () => {
    assert.deepEqual(parseThreshold("outcome.reset<0.1%"), {
      expression: "outcome.reset<0.1%",
      metric: "outcome.reset",
      operator: "<",
      value: 0.1,
      unit: "%",
      limitText: "0.1%",
    });
  });
  await t.step("a bare number has no unit", () => {
    const threshold = parseThreshold("sessionsPerSecond>=1000");
    assert.deepEqual(threshold, {
      expression: "sessionsPerSecond>=1000",
      metric: "sessionsPerSecond",
      operator: ">=",
      value: 1000,
      limitText: "1000",
    });
    assert.equal("unit" in threshold, false);
  });
  await t.step("every operator, with and without spaces", () => {
    assert.deepEqual(THRESHOLD_OPERATORS, ["<", "<=", ">", ">=", "==", "!="]);
    for (const operator of THRESHOLD_OPERATORS) {
      assert.equal(parseThreshold(`server.closeWait${operator}0`).operator, operator);
      assert.equal(parseThreshold(`server.closeWait ${operator} 0`).operator, operator);
    }
  });
  await t.step("names with dashes and underscores", () => {
    assert.equal(
      parseThreshold("outcome.server-closed-first<=1%").metric,
      "outcome.server-closed-first",
    );
    assert.equal(parseThreshold("my_metric.x==2").metric, "my_metric.x");
  });
});

Deno.test("parseThreshold rejects bad expressions with a one-line UsageError", async (t) => {
  const example = '; expected METRIC OP VALUE, e.g. "handshake.p99<5ms"';
  const cases: [string, string][] = [
    [
      "handshake.p99<<5ms",
      `Invalid threshold "handshake.p99<<5ms": unknown operator "<<" ` +
      `(use <, <=, >, >=, == or !=)${example}`,
    ],
    [
      "handshake.p99 5ms",
      `Invalid threshold "handshake.p99 5ms": no comparison operator ` +
      `(use <, <=, >, >=, == or !=)${example}`,
    ],
    ["<5ms", `Invalid threshold "<5ms": no metric name before the operator${example}`],
    [
      "handshake.p99<5parsecs",
      `Invalid threshold "handshake.p99<5parsecs": unknown unit "parsecs" ` +
      `(use us, ms, s or m for durations, % for shares)${example}`,
    ],
    ["", `Invalid threshold "": it is empty${example}`],
    ["   ", `Invalid threshold "   ": it is empty${example}`],
    [
      "server.closeWait=0",
      `Invalid threshold "server.closeWait=0": "=" is not an operator, ` +
      `use "==" to test equality${example}`,
    ],
    [
      "server.closeWait=<0",
      `Invalid threshold "server.closeWait=<0": unknown operator "=<" ` +
      `(use <, <=, >, >=, == or !=)${example}`,
    ],
    ["handshake.p99<", `Invalid threshold "handshake.p99<": no value after the operator${example}`],
    [
      "handshake.p99<5 ms",
      `Invalid threshold "handshake.p99<5 ms": "5 ms" is not a number with an optional unit${example}`,
    ],
    [
      "handshake.p99<-5ms",
      `Invalid threshold "handshake.p99<-5ms": "-5ms" is not a number with an optional unit${example}`,
    ],
    [
      "handshake.p99<.5ms",
      `Invalid threshold "handshake.p99<.5ms": ".5ms" is not a number with an optional unit${example}`,
    ],
    [
      "handshake p99<5ms",
      `Invalid threshold "handshake p99<5ms": bad metric name "handshake p99" ` +
      `(letters, digits, ".", "-" and "_", and a tag filter such as {region:eu})${example}`,
    ],
  ];
  for (const [expression, message] of cases) {
    await t.step(JSON.stringify(expression), () => {
      assert.equal(message.includes("\n"), false);
      assert.throws(
        () => parseThreshold(expression),
        (error: unknown) => {
          assert.ok(error instanceof UsageError);
          assert.equal(error.name, "UsageError");
          assert.equal(error.message, message);
          return true;
        },
      );
    });
  }
});

Deno.test("a parse error stays on one line whatever the expression holds", () => {
  assert.throws(() => parseThreshold("a\nb<1"), (error: unknown) => {
    assert.ok(error instanceof UsageError);
    assert.equal(error.message.includes("\n"), false);
    assert.ok(error.message.startsWith('Invalid threshold "a\\nb<1": bad metric name'));
    return true;
  });
});

Deno.test("parseThreshold checks the unit of the load summary's own metrics", async (t) => {
  const cases: [string, string][] = [
    [
      "handshake.p99<5",
      'Invalid threshold "handshake.p99<5": handshake.p99 is a duration: add a unit, ' +
      'e.g. "handshake.p99<5ms"',
    ],
    [
      "close.p99.9 <= 2.5%",
      'Invalid threshold "close.p99.9 <= 2.5%": close.p99.9 is a duration: add a unit, ' +
      'e.g. "close.p99.9<=2.5ms"',
    ],
    [
      "sessionsPerSecond>=1000ms",
      'Invalid threshold "sessionsPerSecond>=1000ms": sessionsPerSecond is a count: ' +
      'compare it with a bare number, e.g. "sessionsPerSecond>=1000"',
    ],
    [
      "handshake.count>10%",
      'Invalid threshold "handshake.count>10%": handshake.count is a count: ' +
      'compare it with a bare number, e.g. "handshake.count>10"',
    ],
    [
      "outcome.reset<1s",
      'Invalid threshold "outcome.reset<1s": outcome.reset is a share: ' +
      'compare it with a percentage or a count, e.g. "outcome.reset<1%"',
    ],
  ];
  for (const [expression, message] of cases) {
    await t.step(expression, () => {
      assert.throws(() => parseThreshold(expression), { name: "UsageError", message });
    });
  }
  await t.step("other metrics' units are checked when evaluated", () => {
    assert.equal(parseThreshold("server.closeWait<5ms").unit, "ms");
    assert.equal(parseThreshold("server.lingerTime<5").unit, undefined);
  });
});

Deno.test("every operator passes and fails", async (t) => {
  const cases: [string, boolean, string][] = [
    ["handshake.p99<8ms", true, "handshake.p99 = 7.20ms, limit < 8ms: ok"],
    ["handshake.p99<5ms", false, "handshake.p99 = 7.20ms, limit < 5ms: over by 2.20ms"],
    ["handshake.p99<7.2ms", false, "handshake.p99 = 7.20ms, limit < 7.2ms: at the limit"],
    ["handshake.p99<=7.2ms", true, "handshake.p99 = 7.20ms, limit <= 7.2ms: ok"],
    ["handshake.p99<=7ms", false, "handshake.p99 = 7.20ms, limit <= 7ms: over by 200us"],
    ["sessionsPerSecond>1000", true, "sessionsPerSecond = 1500, limit > 1000: ok"],
    ["sessionsPerSecond>2000", false, "sessionsPerSecond = 1500, limit > 2000: under by 500"],
    ["sessionsPerSecond>1500", false, "sessionsPerSecond = 1500, limit > 1500: at the limit"],
    ["sessionsPerSecond>=1500", true, "sessionsPerSecond = 1500, limit >= 1500: ok"],
    ["sessionsPerSecond>=1501", false, "sessionsPerSecond = 1500, limit >= 1501: under by 1"],
    ["server.closeWait==0", true, "server.closeWait = 0, limit == 0: ok"],
    ["server.timeWait==0", false, "server.timeWait = 3, limit == 0: over by 3"],
    ["server.timeWait==5", false, "server.timeWait = 3, limit == 5: under by 2"],
    ["server.closeWait!=1", true, "server.closeWait = 0, limit != 1: ok"],
    ["server.closeWait!=0", false, "server.closeWait = 0, limit != 0: equal to the limit"],
  ];
  for (const [expression, passed, message] of cases) {
    await t.step(expression, () => verdict(expression, passed, message));
  }
  await t.step("each operator is covered both ways", () => {
    for (const operator of THRESHOLD_OPERATORS) {
      const mine = cases.filter(([e]) => parseThreshold(e).operator === operator);
      assert.ok(mine.some(([, passed]) => passed), `${operator} passes`);
      assert.ok(mine.some(([, passed]) => !passed), `${operator} fails`);
    }
  });
});

Deno.test("every duration unit converts to microseconds", async (t) => {
  const cases: [string, boolean, number, string][] = [
    ["handshake.p99<7201us", true, 7201, "handshake.p99 = 7.20ms, limit < 7201us: ok"],
    ["handshake.p99<7200us", false, 7200, "handshake.p99 = 7.20ms, limit < 7200us: at the limit"],
    ["handshake.p50>=31us", false, 31, "handshake.p50 = 30us, limit >= 31us: under by 1us"],
    ["handshake.p99<1.1ms", false, 1100, "handshake.p99 = 7.20ms, limit < 1.1ms: over by 6.10ms"],
    ["handshake.p99<1s", true, 1_000_000, "handshake.p99 = 7.20ms, limit < 1s: ok"],
    // 0.0072 * 1e6 is 7200.000000000001 in floating point: the limit must still be 7200us.
    [
      "handshake.p99==0.0072s",
      true,
      7200,
      "handshake.p99 = 7.20ms, limit == 0.0072s: ok",
    ],
    ["close.p99.9<0.001m", true, 60_000, "close.p99.9 = 40.0ms, limit < 0.001m: ok"],
    [
      "close.p99.9<0.0005m",
      false,
      30_000,
      "close.p99.9 = 40.0ms, limit < 0.0005m: over by 10.0ms",
    ],
  ];
  for (const [expression, passed, limit, message] of cases) {
    await t.step(expression, () => {
      const result = check(expression);
      assert.equal(result.message, message);
      assert.equal(result.passed, passed);
      assert.equal(result.limit, limit);
    });
  }
  await t.step("actual is the metric in microseconds", () => {
    assert.equal(check("handshake.p99<1s").actual, 7200);
    assert.equal(check("close.p99.9<1s").actual, 40_000);
  });
});

Deno.test("share metrics compare as a percentage with % and as a count without", async (t) => {
  await t.step("percentages", () => {
    verdict(
      "outcome.reset<0.1%",
      false,
      "outcome.reset = 0.50% (5 of 1000), limit < 0.1%: over by 0.40 points",
    );
    verdict("outcome.reset<1%", true, "outcome.reset = 0.50% (5 of 1000), limit < 1%: ok");
    verdict("outcome.reset==0.5%", true, "outcome.reset = 0.50% (5 of 1000), limit == 0.5%: ok");
    verdict(
      "outcome.clean>=99.9%",
      false,
      "outcome.clean = 99.50% (995 of 1000), limit >= 99.9%: under by 0.40 points",
    );
    const result = check("outcome.reset<0.1%");
    assert.equal(result.actual, 0.5);
    assert.equal(result.limit, 0.1);
  });
  await t.step("tiny differences keep their significant digits", () => {
    const set: MetricSet = new Map([["outcome.reset", { kind: "share", value: 1, total: 30_000 }]]);
    verdict(
      "outcome.reset<0.001%",
      false,
      "outcome.reset = 0.0033% (1 of 30000), limit < 0.001%: over by 0.0023 points",
      set,
    );
  });
  await t.step("a share of nothing is 0%", () => {
    verdict("noResponse<1%", true, "noResponse = 0% (0 of 0), limit < 1%: ok");
    verdict("noResponse>0%", false, "noResponse = 0% (0 of 0), limit > 0%: at the limit");
  });
  await t.step("counts", () => {
    verdict("outcome.reset<10", true, "outcome.reset = 5 of 1000, limit < 10: ok");
    verdict("outcome.reset<3", false, "outcome.reset = 5 of 1000, limit < 3: over by 2");
    verdict("outcome.reset==5", true, "outcome.reset = 5 of 1000, limit == 5: ok");
    verdict("outcome.reset==0", false, "outcome.reset = 5 of 1000, limit == 0: over by 5");
    assert.equal(check("outcome.reset<3").actual, 5);
  });
});

Deno.test("a unit that does not suit the metric fails the threshold when evaluated", () => {
  const set = metrics();
  set.set("server.lingerTime", { kind: "duration", value: 7200 });
  const results = evaluateThresholds(
    ["server.closeWait<5ms", "server.lingerTime<5", "server.lingerTime<5%", "server.timeWait<1%"]
      .map(parseThreshold),
    set,
  );
  assert.deepEqual(results.map((r) => [r.passed, r.actual, r.message]), [
    [
      false,
      undefined,
      'server.closeWait = 0 is a count: compare it with a bare number, e.g. "server.closeWait<5"',
    ],
    [
      false,
      undefined,
      'server.lingerTime = 7.20ms is a duration: add a unit, e.g. "server.lingerTime<5ms"',
    ],
    [
      false,
      undefined,
      'server.lingerTime = 7.20ms is a duration: add a unit, e.g. "server.lingerTime<5ms"',
    ],
    [
      false,
      undefined,
      'server.timeWait = 3 is a count: compare it with a bare number, e.g. "server.timeWait<1"',
    ],
  ]);
  const share = new Map([["server.resets", { kind: "share" as const, value: 1, total: 4 }]]);
  assert.equal(
    check("server.resets<1s", share).message,
    "server.resets = 1 of 4 is a share: compare it with a percentage or a count, " +
      'e.g. "server.resets<1%"',
  );
});

Deno.test("a missing metric fails with the names that do exist", async (t) => {
  await t.step("a typo lists the metrics of the same family", () => {
    const result = check("handshake.p98<5ms");
    assert.equal(result.passed, false);
    assert.equal(result.actual, undefined);
    assert.equal(result.limit, 5000);
    assert.equal(result.message, 'no metric "handshake.p98" (known: handshake.p99, handshake.p50)');
  });
  await t.step("an unknown family lists every metric", () => {
    assert.equal(
      check("bogus<1").message,
      'no metric "bogus" (known: handshake.p99, handshake.p50, close.p99.9, firstByte.count, ' +
        "outcome.reset, outcome.clean, noResponse, sessionsPerSecond, server.closeWait, " +
        "server.timeWait)",
    );
  });
  await t.step("a phase that recorded nothing says so", () => {
    assert.equal(
      check("firstByte.p50<1ms").message,
      'no metric "firstByte.p50": firstByte recorded no values (firstByte.count = 0)',
    );
  });
  await t.step("an empty set", () => {
    assert.equal(
      check("server.x<1", new Map()).message,
      'no metric "server.x" (no metrics were measured)',
    );
  });
});

Deno.test("evaluateThresholds keeps the order and names each threshold", () => {
  const thresholds = ["server.timeWait==0", "handshake.p99<8ms", "nope<1"].map(parseThreshold);
  const results = evaluateThresholds(thresholds, metrics());
  assert.deepEqual(results.map((r) => [r.expression, r.metric, r.passed]), [
    ["server.timeWait==0", "server.timeWait", false],
    ["handshake.p99<8ms", "handshake.p99", true],
    ["nope<1", "nope", false],
  ]);
  assert.deepEqual(results.map((r) => r.threshold), thresholds);
  assert.deepEqual(evaluateThresholds([], metrics()), []);
});

Deno.test("parseKnownThreshold refuses a metric no check run provides, before the run", async (t) => {
  const refuses = (expression: string, message: string) =>
    assert.throws(() => parseKnownThreshold(expression), { name: "UsageError", message });
  await t.step("the nearest known name, for a typo or a case slip", () => {
    refuses(
      "handshake.p999<5ms",
      'Invalid threshold "handshake.p999<5ms": unknown metric "handshake.p999"; ' +
        'did you mean "handshake.p99.9"?',
    );
    refuses(
      "server.closewait==0",
      'Invalid threshold "server.closewait==0": unknown metric "server.closewait"; ' +
        'did you mean "server.closeWait"?',
    );
    refuses(
      "outcome.nofin<1%",
      'Invalid threshold "outcome.nofin<1%": unknown metric "outcome.nofin"; ' +
        'did you mean "outcome.no-fin"?',
    );
  });
  await t.step("the known names, when none is near", () => {
    assert.throws(() => parseKnownThreshold("latency<5ms"), (error: unknown) => {
      assert.ok(error instanceof UsageError);
      assert.match(error.message, /unknown metric "latency"; known: handshake\.\*, firstByte\.\*/);
      assert.match(
        error.message,
        /server\.closeWait, server\.timeWait, tester\.timeWait, halfOpen/,
      );
      assert.equal(error.message.includes("\n"), false);
      return true;
    });
  });
  await t.step("the census metrics are known, and are counts", () => {
    for (const name of ["server.closeWait", "server.timeWait", "tester.timeWait", "halfOpen"]) {
      assert.equal(parseKnownThreshold(`${name}==0`).metric, name);
    }
    refuses(
      "server.closeWait<1ms",
      'Invalid threshold "server.closeWait<1ms": server.closeWait is a count: ' +
        'compare it with a bare number, e.g. "server.closeWait<1"',
    );
  });
  await t.step("the syntax is checked first, as parseThreshold does", () => {
    assert.throws(() => parseKnownThreshold("handshake.p99<<5ms"), { message: /unknown operator/ });
  });
});
