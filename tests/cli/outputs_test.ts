/**
 * `--trace`, `--csv`, `--hlog` and `--hgrm` through the real CLI: what each
 * file holds, and a path that cannot be written refused before connecting.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { startReferenceServer } from "../../lib/testing/reference_servers.ts";
import type { LoadSummary } from "../../lib/census/load_summary.ts";
import type { TraceHeader, TraceLine } from "../../lib/report/trace.ts";
import { synfin } from "../support/cli.ts";

async function inTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("outputs: --trace samples past --trace-limit and says how many sessions it stands for", async () => {
  await using server = await startReferenceServer("well-behaved");
  await inTempDir(async (dir) => {
    const path = join(dir, "trace.jsonl");
    const run = await synfin(
      [
        "load",
        "-n",
        "400",
        "-c",
        "10",
        "--no-census",
        "--trace",
        path,
        "--trace-limit",
        "40",
        server.target.label,
      ],
    );
    assert.equal(run.code, 0, run.stderr);
    const [header, ...lines] = (await Deno.readTextFile(path)).trim().split("\n").map((l) =>
      JSON.parse(l)
    ) as [TraceHeader, ...TraceLine[]];
    assert.equal(header.kind, "trace");
    assert.equal(header.sessions, 400);
    assert.equal(header.lines, 40);
    assert.equal(header.sampled, true);
    assert.equal(lines.length, 40);
    const engine = Deno.env.get("SYNFIN_ENGINE") || "raw";
    for (const line of lines) {
      assert.equal(line.kind, "session");
      assert.equal(line.engine, engine);
      assert.equal(line.outcome, "clean");
      assert.ok(
        line.start! > 1e12 && line.localPort! > 0 && line.handshakeUs! > 0,
        JSON.stringify(line),
      );
      assert.equal(line.kernel !== undefined, engine === "raw", "TCP_INFO evidence on raw only");
    }
    assert.ok(
      lines.every((l, i) => i === 0 || l.start! >= lines[i - 1].start!),
      "in connect order",
    );
  });
});

Deno.test("outputs: --trace under its limit has every session, failures with their errno", async () => {
  await using server = await startReferenceServer("reset");
  await inTempDir(async (dir) => {
    const path = join(dir, "trace.jsonl");
    const run = await synfin([
      "load",
      "-n",
      "20",
      "-c",
      "4",
      "--no-census",
      "--trace",
      path,
      server.target.label,
    ]);
    assert.equal(run.code, 1, run.stderr);
    const [header, ...lines] = (await Deno.readTextFile(path)).trim().split("\n").map((l) =>
      JSON.parse(l)
    );
    assert.equal(header.sessions, 20);
    assert.equal(header.sampled, false);
    assert.equal(lines.length, 20);
    assert.ok(
      lines.every((l: TraceLine) => l.outcome === "reset" && l.errno === "ECONNRESET"),
      lines[0],
    );
  });
});

Deno.test("outputs: --csv is the JSON's timeSeries, with per-second handshake p50/p99", async () => {
  await using server = await startReferenceServer("well-behaved");
  await inTempDir(async (dir) => {
    const csv = join(dir, "series.csv");
    const json = join(dir, "run.json");
    const run = await synfin(
      [
        "load",
        "--rate",
        "200",
        "-n",
        "300",
        "--no-census",
        "--csv",
        csv,
        "--json",
        json,
        server.target.label,
      ],
    );
    assert.equal(run.code, 0, run.stderr);
    const summary = JSON.parse(await Deno.readTextFile(json)) as LoadSummary;
    const [head, ...rows] = (await Deno.readTextFile(csv)).trim().split("\n").map((l) =>
      l.split(",")
    );
    assert.deepEqual(head, [
      "second",
      "time",
      "started",
      "finished",
      "failed",
      "handshake_p50_us",
      "handshake_p99_us",
    ]);
    assert.ok(rows.length >= 2, `${rows.length} seconds`);
    assert.deepEqual(
      rows.map(([second, , started, finished, failed]) =>
        [second, started, finished, failed].map(Number)
      ),
      summary.timeSeries.points.map((p) => [p.second, p.started, p.finished, p.failed]),
    );
    for (const row of rows) {
      if (Number(row[3]) > 0) {
        assert.ok(Number(row[5]) > 0 && Number(row[6]) >= Number(row[5]), row.join());
      }
    }
  });
});

Deno.test("outputs: an unwritable --hlog, --trace, --csv or --hgrm is refused before connecting", async () => {
  await inTempDir(async (dir) => {
    const file = join(dir, "a-file");
    await Deno.writeTextFile(file, "");
    // Nothing listens on port 1: a run that connected would exit 3 (unreachable).
    for (
      const [option, path, words] of [
        [
          "--hlog",
          join(dir, "missing", "run.hlog"),
          "no such file or directory (ENOENT); give a writable path",
        ],
        [
          "--trace",
          join(dir, "missing", "t.jsonl"),
          "no such file or directory (ENOENT); give a writable path",
        ],
        ["--csv", dir, "it is a directory; give a writable path"],
        ["--hgrm", file, "it is a file, not a directory; give a writable directory"],
      ]
    ) {
      const run = await synfin(["load", "-n", "1", "--no-census", option, path, "127.0.0.1:1"]);
      assert.equal(run.code, 2, `${option}: ${run.stderr}`);
      assert.equal(run.stderr, `synfin: Cannot write ${option} ${path}: ${words}\n`);
    }
    const run = await synfin(["load", "--trace-limit", "5", "127.0.0.1:1"]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--trace-limit needs --trace FILE/);
  });
});

Deno.test("outputs: --hgrm creates its directory and writes a file per phase", async () => {
  await using server = await startReferenceServer("well-behaved");
  await inTempDir(async (dir) => {
    const hgrm = join(dir, "new", "hgrm");
    const run = await synfin([
      "load",
      "-n",
      "10",
      "--no-census",
      "--hgrm",
      hgrm,
      server.target.label,
    ]);
    assert.equal(run.code, 0, run.stderr);
    const names = [...Deno.readDirSync(hgrm)].map((e) => e.name).sort();
    assert.deepEqual(names, ["close.hgrm", "handshake.hgrm"]);
  });
});
