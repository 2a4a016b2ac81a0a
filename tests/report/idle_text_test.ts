/**
 * Tests for lib/report/idle_text.ts, on hand-built probe results.
 */

import assert from "node:assert/strict";
import type { IdleProbeResult } from "../../lib/engine/idle_probe.ts";
import { renderIdleReport } from "../../lib/report/idle_text.ts";
import { idleVerdict } from "../../lib/engine/idle_verdict.ts";
import { parseTarget } from "../../lib/base/target.ts";

const TARGET = parseTarget("127.0.0.1:8080");

/** A probe of 5 connections, all opened, none dropped, but the fields given. */
function result(fields: Partial<IdleProbeResult> = {}): IdleProbeResult {
  return {
    connections: 5,
    opened: 5,
    connectErrors: {},
    boundMs: 3000,
    elapsedMs: 3001,
    interrupted: false,
    finAfterMs: [],
    resetAfterMs: [],
    stillOpen: 0,
    otherErrors: {},
    ...fields,
  };
}

Deno.test("idleVerdict", async (t) => {
  await t.step("all dropped with a FIN: the median drop time", () => {
    const verdict = idleVerdict(
      result({ elapsedMs: 2001, finAfterMs: [300, 301, 320, 1500, 2000] }),
    );
    assert.equal(
      verdict,
      "idle timeout about 320ms (FIN; 5 of 5 dropped between 300ms and 2.00s)",
    );
  });

  await t.step("all reset: RST", () => {
    const verdict = idleVerdict(result({ resetAfterMs: [200, 201, 202, 203, 205] }));
    assert.equal(verdict, "idle timeout about 202ms (RST; 5 of 5 dropped between 200ms and 205ms)");
  });

  await t.step("both: FIN and RST, median over all drops", () => {
    const verdict = idleVerdict(
      result({ finAfterMs: [61_000, 62_000], resetAfterMs: [59_500], stillOpen: 2 }),
    );
    // Sorted drops 59.5 s, 61 s, 62 s: the median is 61 s.
    assert.equal(
      verdict,
      "idle timeout about 61.0s (FIN and RST; 3 of 5 dropped between 59.5s and 62.0s)",
    );
  });

  await t.step("an even count takes the upper middle", () => {
    const verdict = idleVerdict(result({ opened: 4, finAfterMs: [100, 200, 300, 400] }));
    assert.match(verdict, /^idle timeout about 300ms \(FIN; 4 of 4 dropped/);
  });

  await t.step("none dropped: no idle timeout within the time the probe ran", () => {
    assert.equal(
      idleVerdict(result({ stillOpen: 5, elapsedMs: 30_004 })),
      "no idle timeout within 30.0s: the server keeps idle connections",
    );
    assert.equal(
      idleVerdict(result({ stillOpen: 5, elapsedMs: 500 })),
      "no idle timeout within 500ms: the server keeps idle connections",
    );
  });

  await t.step("every drop within 100ms: the server closes at once, not an idle timeout", () => {
    assert.equal(
      idleVerdict(result({ finAfterMs: [0, 1, 1, 2, 2], elapsedMs: 3 })),
      "no idle timeout: the server closes connections at once (FIN; 5 of 5 within 2ms " +
        "of the handshake)",
    );
    assert.equal(
      idleVerdict(result({ opened: 2, resetAfterMs: [0, 99], stillOpen: 0 })),
      "no idle timeout: the server closes connections at once (RST; 2 of 2 within 99ms " +
        "of the handshake)",
    );
    // One connection kept past 100 ms is an idle timeout to report, not "at once".
    assert.match(idleVerdict(result({ finAfterMs: [1, 2, 2, 3, 150] })), /^idle timeout about/);
  });

  await t.step("nothing opened: nothing to judge", () => {
    assert.equal(
      idleVerdict(result({ opened: 0, connectErrors: { ECONNREFUSED: 5 }, elapsedMs: 1 })),
      "no connection opened: nothing to judge",
    );
  });
});

Deno.test("renderIdleReport", async (t) => {
  await t.step("FIN drops: header, drop line, verdict", () => {
    const text = renderIdleReport(
      TARGET,
      result({ elapsedMs: 1002, finAfterMs: [1000, 1000, 1001, 1001, 1002] }),
    );
    assert.equal(
      text,
      [
        "synfin idle 127.0.0.1:8080  5 idle connections, bound 3.00s",
        "5 opened, probe ran 1.00s",
        "",
        "  5 closed with FIN after 1.00s",
        "",
        "idle timeout about 1.00s (FIN; 5 of 5 dropped after 1.00s)",
      ].join("\n"),
    );
  });

  await t.step("kept open past the bound", () => {
    const text = renderIdleReport(
      parseTarget("[::1]:9000"),
      result({ connections: 10, opened: 10, boundMs: 30_000, elapsedMs: 30_003, stillOpen: 10 }),
    );
    assert.deepEqual(text.split("\n"), [
      "synfin idle [::1]:9000  10 idle connections, bound 30.0s",
      "10 opened, probe ran 30.0s",
      "",
      "  10 still open after 30.0s",
      "",
      "no idle timeout within 30.0s: the server keeps idle connections",
    ]);
  });

  await t.step("a mix: connect errors, FIN, RST, other errors, still open, interrupted", () => {
    const lines = renderIdleReport(
      TARGET,
      result({
        connections: 10,
        opened: 7,
        connectErrors: { ECONNREFUSED: 2, ETIMEDOUT: 1 },
        elapsedMs: 1500,
        interrupted: true,
        finAfterMs: [300, 320],
        resetAfterMs: [450],
        otherErrors: { EUNKNOWN: 1 },
        stillOpen: 3,
      }),
    ).split("\n");
    assert.deepEqual(lines, [
      "synfin idle 127.0.0.1:8080  10 idle connections, bound 3.00s",
      "7 opened, probe ran 1.50s (interrupted)",
      "  2 connects failed: ECONNREFUSED",
      "  1 connect failed: ETIMEDOUT",
      "",
      "  2 closed with FIN after 300ms to 320ms",
      "  1 reset (RST) after 450ms",
      "  1 ended with EUNKNOWN",
      "  3 still open after 1.50s",
      "",
      "idle timeout about 320ms (FIN and RST; 3 of 7 dropped between 300ms and 450ms)",
    ]);
  });

  await t.step("nothing opened", () => {
    const lines = renderIdleReport(
      TARGET,
      result({ opened: 0, connectErrors: { ECONNREFUSED: 5 }, elapsedMs: 3 }),
    ).split("\n");
    assert.deepEqual(lines.slice(0, 3), [
      "synfin idle 127.0.0.1:8080  5 idle connections, bound 3.00s",
      "0 opened, probe ran 3ms",
      "  5 connects failed: ECONNREFUSED",
    ]);
    assert.equal(lines.at(-1), "no connection opened: nothing to judge");
    // Only blank lines between: no drop or still-open line.
    assert.deepEqual(lines.slice(3, -1).filter((line) => line !== ""), []);
  });

  await t.step("the verdict is the last line", () => {
    const r = result({ resetAfterMs: [200, 210, 220, 230, 240] });
    const lines = renderIdleReport(TARGET, r).split("\n");
    assert.equal(lines.at(-1), idleVerdict(r));
    assert.ok(lines.includes("  5 reset (RST) after 200ms to 240ms"));
    assert.ok(!lines.some((line) => line.includes("closed with FIN")));
    assert.ok(!lines.some((line) => line.includes("still open")));
  });
});
