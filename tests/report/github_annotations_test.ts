import assert from "node:assert/strict";
import type { CaseResult, Verdict } from "../../lib/suite/result.ts";
import { isGitHubActions, renderGitHubAnnotations } from "../../lib/report/github_annotations.ts";
import { evaluateThresholds, parseThreshold } from "../../lib/suite/threshold.ts";

function result(verdict: Verdict, overrides: Partial<CaseResult> = {}): CaseResult {
  return {
    id: `close/${verdict.toLowerCase()}`,
    severity: verdict === "WARN" ? "SHOULD" : "MUST",
    requirement: "The server answers our FIN with its FIN",
    verdict,
    expected: "a FIN within 2s",
    actual: "no FIN in 20 of 20 sessions",
    durationMs: 10,
    ...overrides,
  };
}

Deno.test("renderGitHubAnnotations", async (t) => {
  await t.step("FAIL is an error, WARN a warning; PASS, INFO and SKIP say nothing", () => {
    const lines = renderGitHubAnnotations(
      (["PASS", "FAIL", "WARN", "INFO", "SKIP"] as Verdict[]).map((v) => result(v)),
      [],
    );
    assert.deepEqual(lines, [
      "::error title=synfin close/fail::The server answers our FIN with its FIN: " +
      "expected a FIN within 2s; got no FIN in 20 of 20 sessions",
      "::warning title=synfin close/warn::The server answers our FIN with its FIN: " +
      "expected a FIN within 2s; got no FIN in 20 of 20 sessions",
    ]);
  });

  await t.step("failed thresholds are errors after the cases; passed ones say nothing", () => {
    const metrics = new Map([
      ["handshake.p99", { kind: "duration" as const, value: 7200 }],
      ["outcome.reset", { kind: "share" as const, value: 5, total: 1000 }],
    ]);
    const thresholds = evaluateThresholds(
      ["handshake.p99<5ms", "handshake.p99<1s", "outcome.reset<0.1%"].map(parseThreshold),
      metrics,
    );
    assert.deepEqual(renderGitHubAnnotations([result("FAIL")], thresholds), [
      "::error title=synfin close/fail::The server answers our FIN with its FIN: " +
      "expected a FIN within 2s; got no FIN in 20 of 20 sessions",
      "::error title=synfin threshold handshake.p99<5ms::" +
      "handshake.p99 = 7.20ms, limit < 5ms: over by 2.20ms",
      "::error title=synfin threshold outcome.reset<0.1%25::" +
      "outcome.reset = 0.50%25 (5 of 1000), limit < 0.1%25: over by 0.40 points",
    ]);
  });

  await t.step("data escapes %, CR and LF; properties also escape : and ,", () => {
    const [line] = renderGitHubAnnotations([
      result("FAIL", {
        id: "close/a:b,c%d",
        requirement: "Line one\r\nline two: 100%",
        expected: "a, b",
        actual: "%0A literally",
      }),
    ], []);
    assert.equal(
      line,
      "::error title=synfin close/a%3Ab%2Cc%25d::Line one%0D%0Aline two: 100%25: " +
        "expected a, b; got %250A literally",
    );
    assert.equal(line.includes("\n"), false);
  });

  await t.step("a SKIP cut by a tester limit is an error naming the limit, not the server", () => {
    const limit = "synfin ran out of file descriptors (EMFILE, 372 times): raise `ulimit -n`";
    const lines = renderGitHubAnnotations([
      result("SKIP", {
        id: "handshake/burst",
        reason: `tester limit: ${limit}`,
        testerLimit: limit,
      }),
      result("SKIP", { reason: "the socket census is off (--no-census)" }),
    ], []);
    assert.deepEqual(lines, [
      "::error title=synfin tester limit (handshake/burst)::The server answers our FIN with " +
      "its FIN: not checked, " + limit,
    ]);
  });

  await t.step("nothing to say, no lines", () => {
    assert.deepEqual(renderGitHubAnnotations([], []), []);
    assert.deepEqual(renderGitHubAnnotations([result("PASS")], []), []);
  });
});

Deno.test("isGitHubActions", async (t) => {
  await t.step("only GITHUB_ACTIONS=true counts", () => {
    assert.equal(isGitHubActions(new Map([["GITHUB_ACTIONS", "true"]])), true);
    for (const value of ["false", "1", "TRUE", ""]) {
      assert.equal(isGitHubActions(new Map([["GITHUB_ACTIONS", value]])), false, value);
    }
    assert.equal(isGitHubActions(new Map()), false);
    assert.equal(isGitHubActions(new Map([["CI", "true"]])), false);
  });

  await t.step("the default is the process environment", () => {
    const before = Deno.env.get("GITHUB_ACTIONS");
    try {
      Deno.env.set("GITHUB_ACTIONS", "true");
      assert.equal(isGitHubActions(), true);
      Deno.env.delete("GITHUB_ACTIONS");
      assert.equal(isGitHubActions(), false);
    } finally {
      if (before === undefined) Deno.env.delete("GITHUB_ACTIONS");
      else Deno.env.set("GITHUB_ACTIONS", before);
    }
  });
});
