import assert from "node:assert/strict";
import { formatMicros, parseDuration } from "../../lib/base/duration.ts";
import { UsageError } from "../../lib/base/errors.ts";
import { MAX_DURATION_MS, TIMER_LIMIT_MS } from "../../lib/base/limits.ts";

Deno.test("parseDuration converts every unit to milliseconds", () => {
  assert.equal(parseDuration("250us"), 0.25);
  assert.equal(parseDuration("1000us"), 1);
  assert.equal(parseDuration("500ms"), 500);
  assert.equal(parseDuration("10s"), 10_000);
  assert.equal(parseDuration("1m"), 60_000);
  assert.equal(parseDuration("2h"), 7_200_000);
  assert.equal(parseDuration("0ms"), 0);
});

Deno.test("parseDuration reads a bare number as seconds", () => {
  assert.equal(parseDuration("5"), 5000);
  assert.equal(parseDuration("0"), 0);
  assert.equal(parseDuration("1.5"), 1500);
});

Deno.test("parseDuration accepts decimals", () => {
  assert.equal(parseDuration("1.5s"), 1500);
  assert.equal(parseDuration("0.5m"), 30_000);
  assert.equal(parseDuration("2.5ms"), 2.5);
  assert.equal(parseDuration("0.25h"), 900_000);
  assert.equal(parseDuration("1.1s"), 1100);
});

Deno.test("parseDuration ignores surrounding whitespace", () => {
  assert.equal(parseDuration(" 10s "), 10_000);
});

Deno.test("parseDuration rejects bad input with a UsageError naming the option", async (t) => {
  for (
    const text of ["", "10x", "ms", "1.5.2s", ".5s", "1e3", "10 s", "10S", "abc", "1s2"]
  ) {
    await t.step(JSON.stringify(text), () => {
      assert.throws(
        () => parseDuration(text, "--duration"),
        (error: unknown) => {
          assert.ok(error instanceof UsageError);
          assert.equal(error.name, "UsageError");
          assert.equal(
            error.message,
            `Invalid --duration "${text}": use e.g. 500ms, 10s or 1m`,
          );
          return true;
        },
      );
    });
  }
  await t.step("the default option name is 'duration'", () => {
    assert.throws(() => parseDuration("soon"), {
      name: "UsageError",
      message: 'Invalid duration "soon": use e.g. 500ms, 10s or 1m',
    });
  });
  await t.step("the option name is whatever the caller passes", () => {
    assert.throws(() => parseDuration("1y", "--hold"), {
      name: "UsageError",
      message: 'Invalid --hold "1y": use e.g. 500ms, 10s or 1m',
    });
  });
});

Deno.test("formatMicros picks us, ms or s at the unit boundaries", () => {
  assert.equal(formatMicros(0), "0us");
  assert.equal(formatMicros(1), "1us");
  assert.equal(formatMicros(30), "30us");
  assert.equal(formatMicros(850), "850us");
  assert.equal(formatMicros(999), "999us");
  assert.equal(formatMicros(999.4), "999us");
  assert.equal(formatMicros(1000), "1.00ms");
  assert.equal(formatMicros(1250), "1.25ms");
  assert.equal(formatMicros(9_990), "9.99ms");
  assert.equal(formatMicros(10_000), "10.0ms");
  assert.equal(formatMicros(12_340), "12.3ms");
  assert.equal(formatMicros(99_900), "99.9ms");
  assert.equal(formatMicros(100_000), "100ms");
  assert.equal(formatMicros(123_456), "123ms");
  assert.equal(formatMicros(999_000), "999ms");
  assert.equal(formatMicros(1_000_000), "1.00s");
  assert.equal(formatMicros(1_020_000), "1.02s");
  assert.equal(formatMicros(2_000_000), "2.00s");
  assert.equal(formatMicros(10_000_000), "10.0s");
  assert.equal(formatMicros(135_000_000), "135s");
  assert.equal(formatMicros(600_000_000), "600s");
});

// formatMicros picks the unit before rounding, so a value just under a unit or
// precision boundary rounds up to a four-digit number of the smaller unit.
// Enable when lib/base/duration.ts rounds before choosing the unit.
Deno.test({
  name: "formatMicros rounds across unit boundaries",
  fn() {
    assert.equal(formatMicros(999.5), "1.00ms");
    assert.equal(formatMicros(9_996), "10.0ms"); // gives "10.00ms"
    assert.equal(formatMicros(99_960), "100ms"); // gives "100.0ms"
    assert.equal(formatMicros(999_600), "1.00s"); // gives "1000ms"
  },
});

Deno.test("parseDuration calls a negative duration what it is", () => {
  for (const text of ["-1s", "-5", "-0.5m"]) {
    assert.throws(() => parseDuration(text, "--duration"), {
      name: "UsageError",
      message: `Invalid --duration "${text}": must be positive`,
    });
  }
});

Deno.test("parseDuration refuses 0 when positive, and anything past 24h", () => {
  assert.throws(() => parseDuration("0s", "--duration", { positive: true }), {
    name: "UsageError",
    message: 'Invalid --duration "0s": must be more than 0',
  });
  assert.equal(parseDuration("0s", "--drain"), 0);
  assert.equal(parseDuration("24h"), MAX_DURATION_MS);
  // 2147483s is under 2^31-1 ms, yet a load adds its drain and close timeout to it.
  for (const text of ["2147483s", "24.01h", "99999999s", "1441m"]) {
    assert.throws(() => parseDuration(text, "--bound"), {
      name: "UsageError",
      message: `Invalid --bound "${text}": at most 24h (longer waits overflow synfin's timers)`,
    });
  }
  assert.ok(MAX_DURATION_MS * 4 < TIMER_LIMIT_MS, "the sum of a run's waits stays in range");
});

Deno.test("parseDuration reads a number (from a JSON config) as seconds", () => {
  assert.equal(parseDuration(5, "--duration"), 5000);
  assert.equal(parseDuration(0.25), 250);
  assert.throws(() => parseDuration(-1, "--duration"), { message: /must be positive/ });
});
