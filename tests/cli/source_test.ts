/**
 * End-to-end tests of several destinations and `--source` through the real
 * CLI: one usage line for what cannot run, and a spread load that runs.
 *
 * @module
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { startReferenceServer } from "../../lib/testing/reference_servers.ts";
import { synfin } from "../support/cli.ts";

const CLI = fileURLToPath(new URL("../../cli.ts", import.meta.url));
const CONFIG = fileURLToPath(new URL("../../deno.json", import.meta.url));

function oneLine(stderr: string): string {
  const lines = stderr.trim().split("\n");
  assert.equal(lines.length, 1, stderr);
  return lines[0];
}

Deno.test("cli: --source with --engine deno is one usage line", async () => {
  const run = await synfin(["load", "--engine", "deno", "--source", "127.0.0.2", "127.0.0.1:1"]);
  assert.equal(run.code, 2);
  assert.match(
    oneLine(run.stderr),
    /Cannot use --source with --engine deno: Deno\.connect cannot bind a source address; use --engine raw/,
  );
});

Deno.test("cli: --source where the default fell back to deno says why", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-q", "--allow-net", "--allow-read", "--allow-env", "--allow-sys", "--config"]
      .concat([CONFIG, CLI, "load", "--source", "127.0.0.2", "127.0.0.1:1"]),
    stdout: "piped",
    stderr: "piped",
    // The built-in default is under test, not the one CI sets per pass.
    env: { SYNFIN_ENGINE: "" },
  }).output();
  assert.equal(output.code, 2);
  assert.match(
    oneLine(new TextDecoder().decode(output.stderr)),
    /Cannot use --source: it needs the raw engine, which cannot run here \(FFI is not permitted/,
  );
});

Deno.test("cli: a bad --source or destination list is one usage line", async () => {
  const source = await synfin(["load", "--source", "127.0.0.9-127.0.0.2", "127.0.0.1:1"]);
  assert.equal(source.code, 2);
  assert.match(oneLine(source.stderr), /Invalid --source "127\.0\.0\.9-127\.0\.0\.2": the range/);
  const target = await synfin(["load", "127.0.0.1:80,80"]);
  assert.equal(target.code, 2);
  assert.match(
    oneLine(target.stderr),
    /Invalid target "127\.0\.0\.1:80,80": port 80 is given twice/,
  );
});

Deno.test("cli: load spreads over ports and sources", async () => {
  await using a = await startReferenceServer("well-behaved");
  await using b = await startReferenceServer("well-behaved");
  const run = await synfin([
    "load",
    "--engine",
    "raw",
    "--source",
    "127.0.0.2-127.0.0.3",
    "-n",
    "40",
    "-c",
    "4",
    "--no-census",
    "--json",
    "-",
    `127.0.0.1:${a.target.port},${b.target.port}`,
  ]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(JSON.parse(run.stdout).outcomes.clean, 40);
  // The preflight's one connection goes to the first destination.
  assert.equal(a.accepted - 1 + b.accepted, 40);
  assert.ok(a.accepted >= 15 && b.accepted >= 15, `${a.accepted} and ${b.accepted}`);
});
