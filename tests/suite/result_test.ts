/** Tests for lib/suite/result.ts: case groups and the order of severities and verdicts. */
import assert from "node:assert/strict";
import { caseGroup, SEVERITIES, VERDICTS } from "../../lib/suite/result.ts";
import { BUILTIN_CASES } from "../../scenarios/conformance/builtin.ts";

Deno.test("caseGroup is the part of the ID before the first slash", async (t) => {
  await t.step("group/name", () => {
    assert.equal(caseGroup("close/answers-fin"), "close");
    assert.equal(caseGroup("handshake/burst"), "handshake");
  });
  await t.step("only the first slash counts", () => {
    assert.equal(caseGroup("a/b/c"), "a");
  });
  await t.step("an ID without a slash is its own group", () => {
    assert.equal(caseGroup("standalone"), "standalone");
    assert.equal(caseGroup(""), "");
  });
  await t.step("a leading or trailing slash", () => {
    assert.equal(caseGroup("/name"), "");
    assert.equal(caseGroup("group/"), "group");
  });
  await t.step("the built-in cases fall into six groups, in run order", () => {
    const groups = [...new Set(BUILTIN_CASES.map((c) => caseGroup(c.options.id)))];
    assert.deepEqual(groups, ["handshake", "close", "abort", "linger", "idle", "load"]);
  });
});

Deno.test("SEVERITIES are strongest first", () => {
  assert.deepEqual(SEVERITIES, ["MUST", "SHOULD", "INFO"]);
});

Deno.test("VERDICTS are in report order", () => {
  assert.deepEqual(VERDICTS, ["PASS", "FAIL", "WARN", "INFO", "SKIP"]);
});

Deno.test("every built-in case has a known severity and a group/name ID", () => {
  for (const { options } of BUILTIN_CASES) {
    assert.ok(SEVERITIES.includes(options.severity), options.id);
    assert.match(options.id, /^[a-z]+\/[a-z-]+$/);
    assert.notEqual(options.requirement, "", options.id);
  }
});
