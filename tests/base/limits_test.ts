import assert from "node:assert/strict";
import {
  MAX_CONCURRENCY,
  MAX_DURATION_MS,
  TIMER_LIMIT_MS,
  wholeNumber,
  wholeNumberProblem,
} from "../../lib/base/limits.ts";

Deno.test("wholeNumber takes a flag's text and a JSON number alike", () => {
  assert.equal(wholeNumber("20", "--concurrency", 1, 100), 20);
  assert.equal(wholeNumber(20, "--concurrency", 1, 100), 20);
  assert.equal(wholeNumber("1", "-n", 1, 1), 1);
});

Deno.test("wholeNumber refuses in one line, the same for text and number", () => {
  const cases: [unknown, string][] = [
    ["0", "give a whole number from 1 to 10000"],
    [0, "give a whole number from 1 to 10000"],
    ["20000", "give a whole number from 1 to 10000"],
    [20000, "give a whole number from 1 to 10000"],
    [1e9, "give a whole number from 1 to 10000"],
    [1.5, "give a whole number from 1 to 10000"],
    ["1e3", "give a whole number from 1 to 10000"],
    ["x", "give a whole number from 1 to 10000"],
    [null, "give a whole number from 1 to 10000"],
    ["-5", "must be positive (a whole number from 1 to 10000)"],
    [-5, "must be positive (a whole number from 1 to 10000)"],
  ];
  for (const [value, problem] of cases) {
    assert.equal(wholeNumberProblem(value, 1, MAX_CONCURRENCY), problem, String(value));
    assert.throws(() => wholeNumber(value, "--concurrency", 1, MAX_CONCURRENCY), {
      name: "UsageError",
      message: `Invalid --concurrency "${value}": ${problem}`,
    });
  }
});

Deno.test("the duration cap leaves room for a run's waits added up", () => {
  assert.equal(TIMER_LIMIT_MS, 2_147_483_647);
  assert.equal(MAX_DURATION_MS, 86_400_000);
  // -d, --drain, --close-timeout and --connect-timeout at their caps, summed.
  assert.ok(4 * MAX_DURATION_MS < TIMER_LIMIT_MS);
});
