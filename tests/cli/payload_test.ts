/**
 * Payloads of `load` and `run` end to end: `--send-file FILE` (the file's
 * bytes as the payload, as `--send TEXT`) and `--message-rate R` (timed
 * request/response exchanges on each connection, the `exchanges`
 * scenario), through the real CLI against servers in this process. Runs
 * on the engine of SYNFIN_ENGINE, as the rest of the suite.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { type CliRun, synfin } from "../support/cli.ts";
import { listenBelowEphemeral, startReferenceServer } from "../../lib/testing/reference_servers.ts";
import type { LoadSummary } from "../../lib/census/load_summary.ts";
import { MAX_SEND_FILE_BYTES } from "../../lib/cli/load.ts";

const QUICK = ["--no-census", "--json", "-"];
const NOWHERE = "127.0.0.1:1";
const ROOT = fileURLToPath(new URL("../../", import.meta.url));

type Summary = LoadSummary & { thresholds?: { expression: string; passed: boolean }[] };

/** A temporary file holding `bytes`, removed at dispose. */
async function tempFile(bytes: Uint8Array): Promise<{ path: string } & AsyncDisposable> {
  const path = await Deno.makeTempFile({ prefix: "synfin-payload-" });
  await Deno.writeFile(path, bytes);
  return { path, [Symbol.asyncDispose]: () => Deno.remove(path) };
}

/** Asserts exit 2 with one stderr line matching `message`. */
function assertUsage(run: CliRun, message: RegExp): void {
  assert.equal(run.code, 2, run.stdout + run.stderr);
  const lines = run.stderr.trim().split("\n");
  assert.equal(lines.length, 1, `not one line:\n${run.stderr}`);
  assert.match(lines[0], message);
}

/** A server that reads and never answers; it closes when it reads our FIN. */
function startSilentServer(): { label: string } & AsyncDisposable {
  const listener = listenBelowEphemeral();
  const handlers: Promise<void>[] = [];
  const accepting = (async () => {
    try {
      for await (const conn of listener) {
        handlers.push((async () => {
          const buffer = new Uint8Array(4096);
          try {
            while (await conn.read(buffer) !== null) { /* never answers */ }
          } catch {
            /* reset */
          } finally {
            conn.close();
          }
        })());
      }
    } catch { /* listener closed */ }
  })();
  return {
    label: `127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    async [Symbol.asyncDispose]() {
      listener.close();
      await accepting;
      await Promise.all(handlers);
    },
  };
}

Deno.test("--send-file: the file's bytes are the payload of load's own lifecycle and of run", async () => {
  await using server = await startReferenceServer("well-behaved");
  // Bytes --send cannot spell without escapes: NUL, CR, LF, high bytes.
  const bytes = Uint8Array.from({ length: 3000 }, (_, i) => i % 256);
  await using file = await tempFile(bytes);
  const plain = await synfin(["load", "--send-file", file.path, "-n", "6", "-c", "2", ...QUICK]
    .concat(server.target.label));
  assert.equal(plain.code, 0, plain.stderr);
  const summary = JSON.parse(plain.stdout) as Summary;
  assert.equal(summary.scenario, undefined, "plain load keeps the built-in lifecycle");
  assert.equal(summary.load.sendBytes, bytes.byteLength);
  assert.equal(summary.phases.firstByte.count, 6, "each session's payload was echoed");
  const run = await synfin(["run", "half-close", server.target.label, "--send-file", file.path]
    .concat(["-n", "4", ...QUICK]));
  assert.equal(run.code, 0, run.stderr);
  const scripted = JSON.parse(run.stdout) as Summary;
  assert.equal(scripted.scenario?.name, "half-close");
  assert.equal(scripted.phases.firstByte.count, 4);
});

Deno.test("--send-file: with --send, missing or too large, a usage error before connecting", async () => {
  await using file = await tempFile(new TextEncoder().encode("x"));
  // NOWHERE refuses: had anything connected, the exit would be 3.
  assertUsage(
    await synfin(["load", "--send", "a", "--send-file", file.path, NOWHERE]),
    /^synfin: Give --send TEXT or --send-file FILE, not both/,
  );
  assertUsage(
    await synfin(["run", "half-close", NOWHERE, "--send-file", "/nonexistent/payload.bin"]),
    /^synfin: Cannot read --send-file \/nonexistent\/payload\.bin: no such file/,
  );
  const big = await Deno.makeTempFile({ prefix: "synfin-payload-" });
  try {
    await Deno.truncate(big, MAX_SEND_FILE_BYTES + 1); // sparse: no 16 MiB written
    assertUsage(
      await synfin(["load", "--send-file", big, NOWHERE]),
      /^synfin: --send-file \S+ is 16777217 bytes: at most 16 MiB/,
    );
  } finally {
    await Deno.remove(big);
  }
});

Deno.test("--send-file: outside synfin's folder under -P, the missing read permission is named", async () => {
  await using file = await tempFile(new TextEncoder().encode("x"));
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-q", "-P", "cli.ts", "load", "--send-file", file.path, NOWHERE],
    cwd: ROOT,
    env: { SYNFIN_ENGINE: "" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const run = {
    code: output.code,
    stdout: new TextDecoder().decode(output.stdout),
    stderr: new TextDecoder().decode(output.stderr),
  };
  assertUsage(run, /^synfin: Missing permission: read access to \S+ \(--send-file\); run: /);
  assert.match(run.stderr, new RegExp(`--allow-read=\\S*${file.path.replaceAll(".", "\\.")}`));
});

Deno.test("--message-rate: load runs exchanges, R per second on each connection, each timed", async () => {
  await using server = await startReferenceServer("well-behaved");
  const run = await synfin(
    ["load", "--message-rate", "20", "--hold", "1s", "-c", "2", "-n", "2"]
      .concat(["--send", "ping\\n", "--threshold", "mark.exchange.p99<1s", ...QUICK])
      .concat(server.target.label),
  );
  assert.equal(run.code, 0, run.stderr);
  const summary = JSON.parse(run.stdout) as Summary;
  assert.equal(summary.scenario?.name, "exchanges");
  assert.equal(summary.outcomes.clean, 2);
  // 20 slots per connection over the hold, 2 connections.
  const count = summary.marks?.exchange.count ?? 0;
  assert.ok(count >= 30 && count <= 42, `${count} exchanges`);
  const answered = summary.checks?.find((c) => c.name === "answered");
  assert.deepEqual(answered, { name: "answered", passes: count, fails: 0 });
  assert.deepEqual(
    summary.thresholds?.map((t) => [t.expression, t.passed]),
    [["check.answered==100%", true], ["mark.exchange.p99<1s", true]],
  );
  // A limit no exchange meets fails the run.
  const strict = await synfin(
    ["load", "--message-rate", "20", "--hold", "200ms", "-n", "1"]
      .concat(["--send", "ping", "--threshold", "mark.exchange.p99<1us", "--no-census"])
      .concat(server.target.label),
  );
  assert.equal(strict.code, 1, strict.stdout + strict.stderr);
  assert.match(strict.stderr, /FAIL: thresholds mark\.exchange\.p99<1us/);
});

Deno.test("--message-rate: without a payload, or not a rate, a usage error before connecting", async () => {
  assertUsage(
    await synfin(["load", "--message-rate", "20", NOWHERE]),
    /^synfin: --message-rate needs a payload: give --send TEXT or --send-file FILE/,
  );
  assertUsage(
    await synfin(["run", "exchanges", NOWHERE]),
    /^synfin: exchanges needs a payload: give --send TEXT or --send-file FILE/,
  );
  assertUsage(
    await synfin(["load", "--message-rate", "0", "--send", "x", NOWHERE]),
    /^synfin: Invalid --message-rate "0": give exchanges per second/,
  );
});

Deno.test("--message-rate: unanswered exchanges fail check answered; a refused target exits 3", async () => {
  await using silent = startSilentServer();
  const run = await synfin(["load", "--message-rate", "10", "--hold", "2s", "-n", "1", "-c", "1"]
    .concat(["--send", "ping", "--close-timeout", "300ms", ...QUICK, silent.label]));
  assert.equal(run.code, 1, run.stdout + run.stderr);
  const summary = JSON.parse(run.stdout) as Summary;
  assert.deepEqual(summary.checks?.find((c) => c.name === "answered"), {
    name: "answered",
    passes: 0,
    fails: 1,
  });
  assert.match(run.stderr, /FAIL: thresholds check\.answered==100%/);
  const refused = await synfin(["load", "--message-rate", "10", "--send", "x", NOWHERE]);
  assert.equal(refused.code, 3, refused.stderr);
});

Deno.test("--message-rate: run OTHER passes it on as params.messageRate", async () => {
  await using server = await startReferenceServer("well-behaved");
  // A scenario that only reports the rate it was given, as a tagged check.
  const source = `export default async function (session) {
    session.check("rate", true, { rate: String(session.params.messageRate) });
    await session.connect();
  }\n`;
  await using scenario = await tempFile(new TextEncoder().encode(source));
  const module = `${scenario.path}.js`;
  await Deno.rename(scenario.path, module);
  try {
    const run = await synfin(["run", module, server.target.label, "--message-rate", "5"]
      .concat(["--no-check", "-n", "3", ...QUICK]));
    assert.equal(run.code, 0, run.stderr);
    const summary = JSON.parse(run.stdout) as Summary;
    assert.deepEqual(summary.checks, [{ name: "rate", tags: { rate: "5" }, passes: 3, fails: 0 }]);
  } finally {
    await Deno.rename(module, scenario.path);
  }
});
