/**
 * Comparing two backlog sweeps, and loading saved ones: hand-built sweeps,
 * bad files, and two real sweeps (backlog 4 against 64) saved and compared.
 */
import assert from "node:assert/strict";
import {
  compareBacklogSweeps,
  loadBacklogSweep,
  parseBacklogSweep,
} from "../../lib/backlog/compare.ts";
import { sweepBacklog } from "../../lib/backlog/sweep.ts";
import type { BacklogSweep } from "../../lib/backlog/sweep_result.ts";
import { UsageError } from "../../lib/base/errors.ts";
import { startReferenceServer } from "../../lib/testing/reference_servers.ts";
import { renderBacklogComparison } from "../../lib/report/backlog_text.ts";
import { backlog8Sweep, fakeBurst, fakeSweep } from "../support/backlog_fixtures.ts";

Deno.test("compareBacklogSweeps: estimates and every burst size of both", async (t) => {
  const a = backlog8Sweep();
  const b = fakeSweep([16, 32, 64].map((size) => fakeBurst(size)), {
    configuredBacklog: 4096,
    target: "127.0.0.1:20002",
  });

  await t.step("each side carries its estimate", () => {
    const comparison = compareBacklogSweeps(a, b);
    assert.equal(comparison.a.label, "127.0.0.1:20001", "labels default to the targets");
    assert.equal(comparison.b.label, "127.0.0.1:20002");
    assert.equal(comparison.a.configuredBacklog, 8);
    assert.equal(comparison.a.estimate.capacity, 10);
    assert.equal(comparison.a.estimate.limit, "application-backlog");
    assert.equal(comparison.b.estimate.limit, "not-reached");
    assert.equal(comparison.b.sysctls?.somaxconn, 4096);
  });

  await t.step("sizes are the union, ascending, null where a sweep did not run one", () => {
    const comparison = compareBacklogSweeps(a, b, { labels: ["a.json", "b.json"] });
    assert.equal(comparison.a.label, "a.json");
    assert.deepEqual(comparison.sizes.map((s) => s.size), [8, 10, 11, 12, 16, 32, 64]);
    const at = (size: number) => comparison.sizes.find((s) => s.size === size)!;
    assert.equal(at(8).b, null);
    assert.equal(at(64).a, null);
    assert.deepEqual(at(16).a, {
      clean: false,
      firstSyn: 10,
      synRetransmitted: 6,
      failures: 6,
      halfOpen: 0,
      p50Us: at(16).a!.p50Us,
      p99Us: at(16).a!.p99Us,
      spreadMs: 1.5,
    });
    assert.ok(at(16).a!.p99Us >= 900_000);
    assert.equal(at(16).b?.clean, true);
    assert.equal(at(16).b?.failures, 0);
  });

  await t.step("interrupted bursts are left out", () => {
    const cut = fakeSweep([fakeBurst(16), fakeBurst(32, { interrupted: true })]);
    const comparison = compareBacklogSweeps(cut, b);
    assert.equal(comparison.sizes.find((s) => s.size === 32)!.a, null);
  });
});

Deno.test("loadBacklogSweep: reads a saved sweep, and names the file when it cannot", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "synfin-backlog-" });
  try {
    const save = async (name: string, content: unknown) => {
      const path = `${dir}/${name}`;
      await Deno.writeTextFile(
        path,
        typeof content === "string" ? content : JSON.stringify(content),
      );
      return path;
    };
    const rejects = async (path: string, why: RegExp) => {
      await assert.rejects(loadBacklogSweep(path), (error: unknown) => {
        assert.ok(error instanceof UsageError, String(error));
        assert.ok(error.message.includes(`"${path}"`), error.message);
        assert.match(error.message, why);
        return true;
      });
    };

    await t.step("a saved sweep round-trips", async () => {
      const sweep = backlog8Sweep();
      assert.deepEqual(await loadBacklogSweep(await save("ok.json", sweep)), sweep);
    });
    await t.step("missing file, not JSON, a load summary", async () => {
      await rejects(`${dir}/missing.json`, /no such file/);
      await rejects(await save("text.json", "capacity: 10"), /not JSON/);
      await rejects(
        await save("load.json", { version: 1, target: "x:1", sessions: 10 }),
        /bursts is missing: is it the JSON of backlog --json/,
      );
      await rejects(await save("array.json", [1, 2]), /the file is not an object/);
    });
    await t.step("another version", async () => {
      await rejects(
        await save("v2.json", { ...backlog8Sweep(), version: 2 }),
        /version 2, but this synfin reads version 1/,
      );
    });
    await t.step("a bad field is named by its path", async () => {
      const bad = (mutate: (sweep: BacklogSweep & Record<string, unknown>) => void) => {
        const sweep = structuredClone(backlog8Sweep()) as BacklogSweep & Record<string, unknown>;
        mutate(sweep);
        return sweep;
      };
      const cases: [string, unknown, RegExp][] = [
        [
          "p99.json",
          bad((s) => {
            (s.bursts[1].handshake as unknown as Record<string, unknown>).p99Us = "1s";
          }),
          /bursts\[1\]\.handshake\.p99Us is not a number/,
        ],
        [
          "size.json",
          bad((s) => {
            s.bursts[0].size = 0;
          }),
          /bursts\[0\]\.size is not a whole number from 1/,
        ],
        [
          "hist.json",
          bad((s) => {
            delete (s.bursts[2].handshake as unknown as Record<string, unknown>).histogram;
          }),
          /bursts\[2\]\.handshake\.histogram is missing/,
        ],
        [
          "stage.json",
          bad((s) => {
            (s.bursts[0] as unknown as Record<string, unknown>).stage = "warmup";
          }),
          /bursts\[0\]\.stage is not "sweep" or "refine"/,
        ],
        [
          "half.json",
          bad((s) => {
            (s.bursts[0] as unknown as Record<string, unknown>).halfOpen = "none";
          }),
          /bursts\[0\]\.halfOpen is not a number or null/,
        ],
        [
          "sysctl.json",
          bad((s) => {
            (s.sysctls as unknown as Record<string, unknown>).somaxconn = "4096";
          }),
          /sysctls\.somaxconn is not a number or null/,
        ],
        [
          "counters.json",
          bad((s) => {
            (s.bursts[0].counters as unknown as Record<string, unknown>).listenOverflows = null;
          }),
          /bursts\[0\]\.counters\.listenOverflows is not a whole number/,
        ],
        [
          "target.json",
          bad((s) => {
            s.target = 8080 as unknown as string;
          }),
          /target is not a string/,
        ],
      ];
      for (const [name, content, why] of cases) await rejects(await save(name, content), why);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("parseBacklogSweep: the error is a UsageError naming the source", () => {
  assert.throws(() => parseBacklogSweep(null, "x.json"), (error: unknown) => {
    assert.ok(error instanceof UsageError);
    assert.equal(error.name, "UsageError");
    assert.match(error.message, /^Invalid backlog sweep "x\.json": the file is not an object/);
    return true;
  });
});

Deno.test("parseBacklogSweep: a sweep saved before the refusal count and the queue wait", () => {
  const sweep = fakeSweep([fakeBurst(16), fakeBurst(32, { refused: 3 })]);
  // deno-lint-ignore no-explicit-any
  const old: any = structuredClone(sweep);
  for (const key of ["acceptQueueBaseline", "serverGone", "queueNotDrained"]) delete old[key];
  delete old.settings.queueWaitMs;
  for (const burst of old.bursts) {
    delete burst.refused;
    delete burst.queueWaitMs;
  }
  const read = parseBacklogSweep(old, "old.json");
  assert.equal(read.acceptQueueBaseline, null);
  assert.equal(read.serverGone, null);
  assert.equal(read.queueNotDrained, null);
  assert.equal(read.settings.queueWaitMs, 0, "it did not wait");
  assert.deepEqual(read.bursts.map((b) => [b.refused, b.queueWaitMs]), [[0, null], [3, null]]);
  assert.deepEqual(parseBacklogSweep(structuredClone(sweep), "new.json"), sweep);
  assert.throws(
    () => parseBacklogSweep({ ...structuredClone(sweep), serverGone: 3 }, "bad.json"),
    /"bad\.json": serverGone is not an object/,
  );
});

Deno.test("compare: backlog 4 against backlog 64, swept, saved and read back", async () => {
  await using small = await startReferenceServer("slow-accept", { backlog: 4, acceptDelayMs: 20 });
  await using large = await startReferenceServer("slow-accept", { backlog: 64, acceptDelayMs: 2 });
  const options = { sizes: [4, 32], refine: false, holdMs: 300, connectTimeoutMs: 1500 };
  const [a, b] = [
    await sweepBacklog(small.target, options),
    await sweepBacklog(large.target, options),
  ];
  const dir = await Deno.makeTempDir({ prefix: "synfin-backlog-" });
  try {
    await Deno.writeTextFile(`${dir}/b4.json`, JSON.stringify(a));
    await Deno.writeTextFile(`${dir}/b64.json`, JSON.stringify(b));
    const comparison = compareBacklogSweeps(
      await loadBacklogSweep(`${dir}/b4.json`),
      await loadBacklogSweep(`${dir}/b64.json`),
      { labels: ["b4.json", "b64.json"] },
    );
    const seen = JSON.stringify(comparison.sizes);
    assert.equal(comparison.a.configuredBacklog, 4);
    assert.equal(comparison.b.configuredBacklog, 64);
    assert.equal(comparison.a.estimate.capacity, 4, seen);
    assert.equal(comparison.a.estimate.firstFailing, 32, seen);
    assert.equal(comparison.b.estimate.limit, "not-reached", seen);
    const at32 = comparison.sizes.find((s) => s.size === 32)!;
    assert.ok(at32.a!.synRetransmitted > 0, seen);
    assert.equal(at32.b!.synRetransmitted, 0, seen);
    const text = renderBacklogComparison(comparison);
    assert.match(text, /^capacity\s+4 \(32 failed\)\s+no overflow up to 32$/m);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
