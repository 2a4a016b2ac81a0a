/**
 * Fault injection, end to end (issue 11, defects 3, 4, 11, 12, 13): what
 * can be checked before a run is checked before anything connects (the
 * config file as strictly as the flags, thresholds, report paths, duration
 * ranges, the case selection, the permissions), and the permission sets
 * grant no more than synfin uses.
 *
 * Each run is the real CLI in a network namespace of its own. Most target
 * 127.0.0.1:1, where nothing listens: a run that connected would exit 3
 * (unreachable), so exit 2 shows the check came first.
 */
import assert from "node:assert/strict";
import { fileURLToPath as fromFileUrl } from "node:url";
import {
  assertNoSocketsLeft,
  CAN_ISOLATE,
  type NamespaceRun,
  type NamespaceRunOptions,
  synfinInNamespace,
} from "../support/faults.ts";

const ROOT = fromFileUrl(new URL("../../", import.meta.url)).replace(/\/$/, "");
const NOWHERE = "127.0.0.1:1";

/** Runs the CLI (with the default set, `-P`, unless told), asserts no socket was left. */
async function run(options: NamespaceRunOptions): Promise<NamespaceRun> {
  const result = await synfinInNamespace({ permissions: ["-P"], ...options });
  assertNoSocketsLeft(result);
  return result;
}

/** Asserts a usage error (exit 2) whose only stderr line contains every one of `parts`. */
function assertUsage(result: NamespaceRun, ...parts: string[]): string {
  const where = `${result.stdout}${result.stderr}`;
  assert.equal(result.code, 2, where);
  const lines = result.stderr.trim().split("\n");
  assert.equal(lines.length, 1, `not one line:\n${result.stderr}`);
  for (const part of parts) assert.ok(lines[0].includes(part), `no ${part} in: ${lines[0]}`);
  assert.equal(result.stdout, "", "nothing ran");
  return lines[0];
}

/** Writes `config` to a temporary file; the CLI may read it with the returned flags. */
async function configFile(config: unknown): Promise<{ path: string; permissions: string[] }> {
  const path = await Deno.makeTempFile({ prefix: "synfin-inputs-", suffix: ".json" });
  await Deno.writeTextFile(path, JSON.stringify(config));
  return { path, permissions: ["-P", `--allow-read=${ROOT},${path}`] };
}

Deno.test({
  name: "defect 3: the config file is checked by the flags' own checks, before connecting",
  ignore: !CAN_ISOLATE,
  async fn() {
    const flag = await run({ args: ["-c", "20000", NOWHERE] });
    const flagLine = assertUsage(flag, 'Invalid --concurrency "20000"');
    const files = await Promise.all([
      configFile({ concurrency: 1e9 }),
      configFile({ concurrency: 20000 }),
      configFile({ duration: "0s" }),
      configFile({ duration: 5, closeTimeout: 0.5, target: NOWHERE }),
    ]);
    try {
      const [huge, over, zero, number] = await Promise.all(
        files.map((file) =>
          run({ args: ["--config", file.path, NOWHERE], permissions: file.permissions })
        ),
      );
      assertUsage(huge, '"concurrency" is invalid', "give a whole number from 1 to 10000");
      // The same words as the flag's, from the same check.
      const overLine = assertUsage(over, '"concurrency" is invalid');
      assert.ok(
        overLine.includes(flagLine.replace(/^synfin: Invalid /, "").replace(/ \(see.*$/, "")),
      );
      assertUsage(zero, '"duration" is invalid: invalid --duration "0s": must be more than 0');
      // A number of seconds, as -d 5: accepted, so the run goes on to the (refused) target.
      assert.equal(number.code, 3, number.stderr);
      assert.match(number.stderr, /Cannot connect to 127\.0\.0\.1:1/);
    } finally {
      await Promise.all(files.map((file) => Deno.remove(file.path)));
    }
  },
});

Deno.test({
  name: "defect 4: thresholds, report paths and duration ranges fail before connecting",
  ignore: !CAN_ISOLATE,
  async fn() {
    const runs = await Promise.all([
      run({ args: ["--threshold", "handshake.p999<5ms", NOWHERE] }),
      run({ args: ["--threshold", "server.closewait==0", NOWHERE] }),
      // With write access, so the path itself is what fails.
      run({ args: ["load", "--json", "/nonexistent/x.json", NOWHERE], permissions: ["-P=test"] }),
      run({ args: ["load", "-d", "2147483s", NOWHERE] }),
      run({ args: ["idle", "--bound", "99999999s", NOWHERE] }),
      run({ args: ["load", "--connect-timeout", "3000000s", NOWHERE] }),
    ]);
    const [p999, closewait, json, duration, bound, connect] = runs;
    assertUsage(p999, 'unknown metric "handshake.p999"', 'did you mean "handshake.p99.9"?');
    assertUsage(closewait, 'unknown metric "server.closewait"', 'did you mean "server.closeWait"?');
    assertUsage(
      json,
      "Cannot write --json /nonexistent/x.json: no such file or directory (ENOENT)",
    );
    assertUsage(duration, 'Invalid --duration "2147483s": at most 24h');
    assertUsage(bound, 'Invalid --bound "99999999s": at most 24h');
    assertUsage(connect, 'Invalid --connect-timeout "3000000s": at most 24h');
  },
});

Deno.test({
  name: "defect 11: missing permissions are one line naming them and the command that works",
  ignore: !CAN_ISOLATE,
  async fn() {
    const port = 20651;
    const server = { kind: "well-behaved" as const, port };
    const args = ["load", "-n", "20", "--no-census", `127.0.0.1:${port}`];
    const env = { SYNFIN_ENGINE: "" };
    const [none, netOnly, check] = await Promise.all([
      run({ args, server, permissions: [], env }),
      run({ args, server, permissions: ["--allow-net"], env }),
      run({ args: [NOWHERE], permissions: [], env }),
    ]);
    const line = assertUsage(none, `net access to 127.0.0.1:${port}`, "run: deno run -P");
    assertUsage(netOnly, "read access to", "lib/engine/worker.ts", "run: deno run -P");
    assertUsage(check, "net access to 127.0.0.1:1", "run: deno run -P", NOWHERE);
    // The command given works: its flags, with the same words after cli.ts.
    const words = line.slice(line.indexOf("run: deno run ") + "run: deno run ".length).split(" ");
    const cli = words.findIndex((word) => word.endsWith("cli.ts"));
    assert.deepEqual(words.slice(cli + 1), args);
    const flags = words.slice(0, cli).filter((word, i, all) =>
      word !== "--config" && all[i - 1] !== "--config"
    );
    const fixed = await run({ args, server, permissions: flags, env });
    assert.equal(fixed.code, 0, fixed.stderr);
    assert.match(fixed.stdout, /20 sessions/);
  },
});

Deno.test({
  name: "defect 12: negative numbers, unknown commands, empty selections, per-command help",
  ignore: !CAN_ISOLATE,
  async fn() {
    const skipAll = ["handshake/", "close/", "abort/", "linger/", "idle/", "load/"]
      .flatMap((group) => ["--skip", group]);
    const [negative, frob, skipped, loadHelp, idleHelp] = await Promise.all([
      run({ args: ["-c", "-5", NOWHERE] }),
      run({ args: ["frob", NOWHERE] }),
      run({ args: [...skipAll, NOWHERE] }),
      run({ args: ["load", "--help"] }),
      run({ args: ["idle", "--help"] }),
    ]);
    assertUsage(negative, 'Invalid --concurrency "-5": must be positive');
    assertUsage(frob, "Unknown command 'frob'", "check, load, run, idle, backlog, merge, demo");
    assertUsage(skipped, "No case left to run");
    assert.equal(loadHelp.code, 0, loadHelp.stderr);
    assert.match(loadHelp.stdout, /--sessions N/);
    assert.doesNotMatch(loadHelp.stdout, /--bound|--burst SPEC|--list/);
    assert.equal(idleHelp.code, 0, idleHelp.stderr);
    assert.match(idleHelp.stdout, /--bound DUR/);
    assert.doesNotMatch(idleHelp.stdout, /--sessions|--junit|--no-census/);
  },
});

Deno.test({
  name: "defect 13: each permission set grants what its commands use, no more",
  ignore: !CAN_ISOLATE,
  async fn() {
    const port = 20652;
    const server = { kind: "leaky" as const, port };
    const target = `127.0.0.1:${port}`;
    const load = [
      "load",
      "-n",
      "20",
      "--close-timeout",
      "200ms",
      "--drain",
      "300ms",
      "--json",
      "-",
    ];
    const sockets = ["--server-sockets", "cat /proc/net/tcp /proc/net/tcp6"];
    const [refused, remote, sandboxed, raw] = await Promise.all([
      run({ args: [...load, ...sockets, target], server }),
      run({ args: [...load, ...sockets, target], server, permissions: ["-P=server-sockets"] }),
      run({
        args: [...load, target],
        server,
        permissions: ["-P=sandboxed"],
        env: { SYNFIN_ENGINE: "" },
      }),
      run({ args: [...load, target], server, env: { SYNFIN_ENGINE: "raw" } }),
    ]);
    // Running a command is the server-sockets set's alone.
    assertUsage(
      refused,
      "run access to timeout (--server-sockets)",
      "run: deno run -P=server-sockets",
    );
    // The leak is found through the command's table, through the sandbox-less set only.
    assert.equal(remote.code, 1, remote.stderr);
    const remoteJson = JSON.parse(remote.stdout);
    assert.match(remoteJson.sockets.source, /command: cat/);
    assert.ok(remoteJson.sockets.server.CLOSE_WAIT.drained >= 20, remote.stdout);
    // Deno's sandbox holds: no FFI (the deno engine), no subprocess (no local census).
    assert.equal(sandboxed.code, 1, sandboxed.stderr);
    const sandboxedJson = JSON.parse(sandboxed.stdout);
    assert.equal(sandboxedJson.load.engine, "deno");
    assert.equal(sandboxedJson.sockets.available, false);
    assert.equal(sandboxedJson.outcomes["no-fin"], 20);
    // FFI scoped to libc still runs the raw engine.
    assert.equal(raw.code, 1, raw.stderr);
    assert.equal(JSON.parse(raw.stdout).load.engine, "raw");
    assert.equal(JSON.parse(raw.stdout).outcomes["no-fin"], 20);

    const sets = JSON.parse(await Deno.readTextFile(`${ROOT}/deno.json`)).permissions;
    const scoped = ["read", "write", "env", "ffi"];
    for (const name of ["default", "server-sockets", "sandboxed"]) {
      for (const kind of scoped) {
        const granted = sets[name][kind];
        assert.ok(granted === undefined || Array.isArray(granted), `${name}.${kind} is unscoped`);
      }
      assert.deepEqual(sets[name].sys, ["networkInterfaces"], `${name}.sys`);
      assert.deepEqual(
        sets[name].env,
        ["SYNFIN_ENGINE", "GITHUB_ACTIONS", "JOB_COMPLETION_INDEX"],
        `${name}.env`,
      );
    }
    assert.deepEqual(sets.default.run, ["cat", "ss", "deno"]);
    assert.ok(sets["server-sockets"].run.includes("timeout"));
    assert.ok(sets.default.ffi.every((path: string) => path.endsWith("/libc.so.6")));
    assert.equal(sets.sandboxed.ffi, undefined);
    assert.equal(sets.sandboxed.run, undefined);
  },
});
