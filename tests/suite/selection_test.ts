/** Tests for lib/suite/selection.ts: `--case` and `--skip`. */
import assert from "node:assert/strict";
import { selectCases } from "../../lib/suite/selection.ts";
import type { Severity } from "../../lib/suite/result.ts";
import { UsageError } from "../../lib/base/errors.ts";
import { BUILTIN_CASES } from "../../scenarios/conformance/builtin.ts";

const fake = (id: string, severity: Severity = "MUST") => ({
  options: { id, severity, requirement: `requirement of ${id}` },
});

/** Built-in-like IDs, out of alphabetical order on purpose. */
const CASES = [
  fake("handshake/accepts"),
  fake("close/answers-fin"),
  fake("close/no-reset"),
  fake("close/server-time-wait", "SHOULD"),
  fake("closed/other"),
  fake("idle/timeout", "INFO"),
  fake("load/steady"),
];

const ids = (cases: readonly { options: { id: string } }[]) => cases.map((c) => c.options.id);

Deno.test("selectCases: no selection keeps every case, in order", () => {
  assert.deepEqual(ids(selectCases(CASES)), ids(CASES));
  assert.deepEqual(ids(selectCases(CASES, { only: [], skip: [] })), ids(CASES));
});

Deno.test("selectCases: an exact ID", () => {
  assert.deepEqual(ids(selectCases(CASES, { only: ["close/no-reset"] })), ["close/no-reset"]);
});

Deno.test("selectCases: a group prefix with its slash", () => {
  assert.deepEqual(ids(selectCases(CASES, { only: ["close/"] })), [
    "close/answers-fin",
    "close/no-reset",
    "close/server-time-wait",
  ]);
});

Deno.test("selectCases: a bare group name selects the group, not other groups it prefixes", () => {
  // "close" matches "close/..." but not "closed/other".
  assert.deepEqual(ids(selectCases(CASES, { only: ["close"] })), [
    "close/answers-fin",
    "close/no-reset",
    "close/server-time-wait",
  ]);
  assert.deepEqual(ids(selectCases(CASES, { skip: ["close"] })), [
    "handshake/accepts",
    "closed/other",
    "idle/timeout",
    "load/steady",
  ]);
});

Deno.test("selectCases: a partial ID is not a prefix", () => {
  assert.throws(
    () => selectCases(CASES, { only: ["close/answers"] }),
    (error) => error instanceof UsageError && error.message.includes('"close/answers"'),
  );
  assert.throws(() => selectCases(CASES, { only: ["clos"] }), UsageError);
});

Deno.test("selectCases: --skip leaves out IDs and groups", () => {
  assert.deepEqual(ids(selectCases(CASES, { skip: ["close/", "load/steady"] })), [
    "handshake/accepts",
    "closed/other",
    "idle/timeout",
  ]);
});

Deno.test("selectCases: --skip wins over --case", () => {
  assert.deepEqual(
    ids(selectCases(CASES, { only: ["close/"], skip: ["close/no-reset"] })),
    ["close/answers-fin", "close/server-time-wait"],
  );
  // Skipping all that --case selected leaves a run that checks nothing: refused.
  assert.throws(() => selectCases(CASES, { only: ["load/steady"], skip: ["load/"] }), {
    name: "UsageError",
    message: "No case left to run: --skip load/ leaves out every case of --case load/steady " +
      "(see --list)",
  });
});

Deno.test("selectCases: the cases' order is kept, not the patterns' order, without duplicates", () => {
  assert.deepEqual(
    ids(selectCases(CASES, { only: ["load/steady", "close/no-reset", "handshake/", "close/"] })),
    [
      "handshake/accepts",
      "close/answers-fin",
      "close/no-reset",
      "close/server-time-wait",
      "load/steady",
    ],
  );
});

Deno.test("selectCases returns the same case objects, and a new array", () => {
  const selected = selectCases(CASES);
  assert.notEqual(selected, CASES);
  assert.equal(selected[3], CASES[3]);
});

Deno.test("selectCases: an unknown pattern is a one-line UsageError naming it and its option", async (t) => {
  const message = (selection: Parameters<typeof selectCases>[1]) => {
    try {
      selectCases(CASES, selection);
    } catch (error) {
      assert.ok(error instanceof UsageError, String(error));
      assert.equal(error.name, "UsageError");
      assert.ok(!error.message.includes("\n"));
      return error.message;
    }
    assert.fail("no error");
  };
  await t.step("in --case", () => {
    assert.equal(
      message({ only: ["close/", "clsoe/no-reset"] }),
      'Unknown case "clsoe/no-reset" in --case: use an ID or a group such as close/ (see --list)',
    );
  });
  await t.step("in --skip", () => {
    assert.equal(
      message({ skip: ["nope/"] }),
      'Unknown case "nope/" in --skip: use an ID or a group such as close/ (see --list)',
    );
  });
  await t.step("--case is checked before --skip", () => {
    assert.match(message({ only: ["a"], skip: ["b"] }), /^Unknown case "a" in --case:/);
  });
  await t.step("a pattern matching nothing after --case narrowed is still known", () => {
    // Both are real cases: valid patterns, so not "Unknown case", but an
    // empty selection, which would pass having checked nothing.
    assert.throws(() => selectCases(CASES, { only: ["idle/"], skip: ["idle/timeout"] }), {
      name: "UsageError",
      message: /^No case left to run: --skip idle\/timeout leaves out every case of --case idle\//,
    });
  });
  await t.step("skipping every case is refused too, naming the skips", () => {
    const skip = ["handshake/", "close/", "closed/", "idle/", "load/"];
    assert.throws(() => selectCases(CASES, { skip }), {
      name: "UsageError",
      message: `No case left to run: --skip ${skip.join(", ")} leaves out every case (see --list)`,
    });
  });
});

Deno.test("selectCases on the built-in cases", () => {
  assert.deepEqual(ids(selectCases(BUILTIN_CASES, { only: ["close"] })), [
    "close/answers-fin",
    "close/no-reset",
    "close/half-close",
    "close/server-time-wait",
  ]);
  assert.equal(selectCases(BUILTIN_CASES, { skip: ["idle/timeout"] }).length, 9);
});
