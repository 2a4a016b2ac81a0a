/**
 * End-to-end tests of `--engine`: both engines through the real CLI, the
 * engine named in the report and the JSON, and the fallback when FFI is not
 * permitted.
 *
 * @module
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { startReferenceServer } from "../../lib/testing/reference_servers.ts";
import { synfin } from "../support/cli.ts";

const CLI = fileURLToPath(new URL("../../cli.ts", import.meta.url));
const CONFIG = fileURLToPath(new URL("../../deno.json", import.meta.url));

/** The CLI with every permission of the default set but FFI. */
async function synfinWithoutFfi(args: string[]) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-q",
      "--allow-net",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      "--allow-sys",
      "--allow-run=cat,ss,sh,timeout",
      "--config",
      CONFIG,
      CLI,
      ...args,
    ],
    stdout: "piped",
    stderr: "piped",
    // The built-in default is under test, not the one CI sets per pass.
    env: { SYNFIN_ENGINE: "" },
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

for (const engine of ["raw", "deno"] as const) {
  Deno.test(`cli: load --engine ${engine} runs on it and names it`, async () => {
    await using server = await startReferenceServer("well-behaved");
    const args = ["load", "--engine", engine, "-n", "200", "-c", "20", "--no-census"];
    const json = await synfin([...args, "--json", "-", server.target.label]);
    assert.equal(json.code, 0, json.stderr);
    const summary = JSON.parse(json.stdout);
    assert.equal(summary.load.engine, engine);
    assert.equal(summary.outcomes.clean, 200);
    const text = await synfin([...args, server.target.label]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`, ${engine} engine, \\d+ event loops`));
  });
}

Deno.test("cli: an unknown --engine is a usage error before anything connects", async () => {
  const run = await synfin(["load", "--engine", "fast", "127.0.0.1:1"]);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /Invalid --engine "fast": use raw or deno/);
  assert.equal(run.stderr.trim().split("\n").length, 1);
});

Deno.test("cli: without FFI, --engine raw is a usage error and the default falls back", async () => {
  await using server = await startReferenceServer("well-behaved");
  const asked = await synfinWithoutFfi(["load", "--engine", "raw", "-n", "5", server.target.label]);
  assert.equal(asked.code, 2);
  assert.match(asked.stderr, /Cannot use --engine raw: FFI is not permitted \(grant --allow-ffi\)/);
  const fallback = await synfinWithoutFfi([
    "load",
    "-n",
    "20",
    "--no-census",
    "--json",
    "-",
    server.target.label,
  ]);
  assert.equal(fallback.code, 0, fallback.stderr);
  // The fallback said before the run, the progress line at its end (stderr is no terminal).
  const [said, progress, ...more] = fallback.stderr.trim().split("\n");
  assert.equal(said, "synfin: using --engine deno: FFI is not permitted (grant --allow-ffi)");
  assert.match(progress, /^synfin: ran .* 20 \/ 20 finished /);
  assert.deepEqual(more, []);
  assert.equal(JSON.parse(fallback.stdout).load.engine, "deno");
});

Deno.test("cli: check and backlog take --engine too", async () => {
  await using server = await startReferenceServer("well-behaved");
  const check = await synfin([
    "--engine",
    "deno",
    "--case",
    "handshake/accepts",
    "--json",
    "-",
    server.target.label,
  ]);
  assert.equal(check.code, 0, check.stderr);
  const backlog = await synfin([
    "backlog",
    "--engine",
    "raw",
    "--burst",
    "16",
    "--no-refine",
    "--drain",
    "200ms",
    "--hold",
    "200ms",
    server.target.label,
  ]);
  assert.equal(backlog.code, 0, backlog.stderr);
});

Deno.test("cli: an invalid SYNFIN_ENGINE is one usage line, not an internal error", async () => {
  const run = await synfin(["load", "-n", "1", "127.0.0.1:1"], { env: { SYNFIN_ENGINE: "turbo" } });
  assert.equal(run.code, 2, run.stderr);
  assert.equal(run.stderr.trim(), 'synfin: Invalid SYNFIN_ENGINE "turbo": use raw or deno');
});
