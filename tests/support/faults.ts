/**
 * Fault injection for end-to-end tests: runs the real CLI inside a network
 * namespace of its own (`unshare -n`, then `ip link set lo up`), optionally
 * with a reference server, a shell setup (sysctls, `ulimit`, `iptables`) and
 * Ctrl+C, and reads `ss -tanp` in that namespace once the CLI has exited, so
 * a test can assert that synfin left no socket of its own.
 *
 * The namespace makes the port range, the counters and the socket table the
 * test's alone even while other test files run in parallel.
 */
import assert from "node:assert/strict";
import { fileURLToPath as fromFileUrl } from "node:url";
import type { ReferenceServerKind } from "../../lib/testing/reference_servers.ts";

const ROOT = fromFileUrl(new URL("../../", import.meta.url));

/** Whether this process may create network namespaces (root with `unshare` and `ip`). */
export const CAN_ISOLATE: boolean = (() => {
  try {
    if (Deno.uid() !== 0) return false;
    const probe = new Deno.Command("unshare", {
      args: ["-n", "sh", "-c", "ip link set lo up"],
      stdout: "null",
      stderr: "null",
    }).outputSync();
    return probe.success;
  } catch {
    return false;
  }
})();

/** A reference server started inside the namespace before the CLI. */
export interface NamespaceServer {
  /** Which reference server (`lib/testing/reference_servers.ts`). */
  kind: ReferenceServerKind;
  /** Its port on 127.0.0.1. */
  port: number;
  /** Its listen backlog, when not the default. */
  backlog?: number;
}

/** Options of {@link synfinInNamespace}. */
export interface NamespaceRunOptions {
  /** The CLI's words after `cli.ts`. */
  args: string[];
  /** Shell lines run in the namespace first (sysctls, `iptables`, a server of the test's own). */
  setup?: string;
  /** A reference server to start and wait for before the CLI. */
  server?: NamespaceServer;
  /** Caps the CLI's file descriptors (soft and hard) in a subshell. */
  ulimit?: number;
  /** Sends SIGINT to the CLI after this many milliseconds. */
  signalAfterMs?: number;
  /** Environment of the CLI; `SYNFIN_ENGINE` passes through unless set here. */
  env?: Record<string, string>;
  /** Permission flags of the CLI (the test set: reports go to temp files). @default ["-P=test"] */
  permissions?: string[];
}

/** What a CLI run in a namespace printed and left behind. */
export interface NamespaceRun {
  code: number;
  stdout: string;
  stderr: string;
  /** `ss -tanp` in the namespace right after the CLI exited (before the server stops). */
  sockets: string;
  /** Lines of {@link sockets} held by a process other than the reference server. */
  leftover: string[];
}

function quote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * Runs `deno run -P cli.ts ARGS` in a fresh network namespace and returns its
 * exit code, output and the sockets left afterwards. Only call it when
 * {@link CAN_ISOLATE} (use `ignore: !CAN_ISOLATE` on the test).
 */
export async function synfinInNamespace(options: NamespaceRunOptions): Promise<NamespaceRun> {
  const [run] = await synfinRepeatedInNamespace(options, 1);
  return run;
}

/**
 * Runs the CLI `times` times in a row in one fresh network namespace, against
 * one reference server that lives through all the runs (so a run sees the
 * sockets the earlier ones left), and returns each run's result.
 */
export async function synfinRepeatedInNamespace(
  options: NamespaceRunOptions,
  times: number,
): Promise<NamespaceRun[]> {
  const deno = quote(Deno.execPath());
  const cli = [
    deno,
    "run",
    "-q",
    ...(options.permissions ?? ["-P=test"]).map(quote),
    "--config",
    quote(`${ROOT}deno.json`),
    quote(`${ROOT}cli.ts`),
    ...options.args.map(quote),
  ].join(" ");
  const server = options.server;
  const lines = [
    "ip link set lo up",
    options.setup ?? "",
    server === undefined ? "" : [
      `${deno} run -q -A ${quote(`${ROOT}lib/testing/reference_servers.ts`)} ${server.kind} ` +
      `${server.port} ${server.backlog ?? ""} >/dev/null &`,
      "server_pid=$!",
      // However the script ends (a signal, a failed line), the server goes with it.
      "trap 'kill $server_pid 2>/dev/null' EXIT",
      // Wait for the listener through the kernel's table, not a connect (a
      // connect would be a session the server counts).
      `for i in $(seq 100); do ss -ltn | grep -q ':${server.port} ' && break; sleep 0.05; done`,
    ].join("\n"),
    `for run in $(seq ${times}); do`,
    `(${options.ulimit === undefined ? "" : `ulimit -n ${options.ulimit} && `}exec ${cli}) ` +
    `>"$out.$run" 2>"$err.$run" &`,
    "cli_pid=$!",
    options.signalAfterMs === undefined
      ? ""
      : `(sleep ${options.signalAfterMs / 1000}; kill -INT $cli_pid 2>/dev/null) &`,
    "wait $cli_pid; code=$?",
    'echo "$code" >"$rc.$run"',
    'ss -tanp >"$ss.$run"',
    "done",
    'echo "${server_pid:-}" >"$pid"',
    '[ -n "${server_pid:-}" ] && kill $server_pid 2>/dev/null',
    "exit 0",
  ];
  const dir = await Deno.makeTempDir({ prefix: "synfin-fault-" });
  try {
    const files = { out: "out", err: "err", rc: "rc", ss: "ss", pid: "pid" };
    const env: Record<string, string> = { ...options.env };
    for (const [name, file] of Object.entries(files)) env[name] = `${dir}/${file}`;
    const engine = Deno.env.get("SYNFIN_ENGINE");
    if (engine !== undefined && options.env?.SYNFIN_ENGINE === undefined) {
      env.SYNFIN_ENGINE = engine;
    }
    const shell = await new Deno.Command("unshare", {
      args: ["-n", "bash", "-c", lines.filter((line) => line !== "").join("\n")],
      env,
      stdout: "null",
      stderr: "piped",
    }).output();
    const read = (file: string) => Deno.readTextFile(`${dir}/${file}`).catch(() => "");
    const serverPid = (await read("pid")).trim();
    const runs: NamespaceRun[] = [];
    for (let run = 1; run <= times; run++) {
      const rc = (await read(`rc.${run}`)).trim();
      assert.ok(
        rc !== "",
        `the namespace script failed: ${new TextDecoder().decode(shell.stderr)}`,
      );
      const sockets = await read(`ss.${run}`);
      const leftover = sockets.split("\n").filter((line) =>
        line.includes("users:(") && (serverPid === "" || !line.includes(`pid=${serverPid},`))
      );
      runs.push({
        code: Number(rc),
        stdout: await read(`out.${run}`),
        stderr: await read(`err.${run}`),
        sockets,
        leftover,
      });
    }
    return runs;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Asserts that no process but the reference server held a socket once the CLI had exited. */
export function assertNoSocketsLeft(run: NamespaceRun): void {
  assert.deepEqual(run.leftover, [], `synfin left sockets behind:\n${run.sockets}`);
}
