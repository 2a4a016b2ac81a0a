/**
 * What the namespace benchmarks share: a fresh network namespace per client
 * (`unshare -n`, then `ip link set lo up`, so counters, ports and TIME_WAIT
 * are that client's alone), the bench C programs compiled at bench time (no
 * binary is ever committed), the synfin command line and medians.
 *
 * @module
 */

import { fileURLToPath as fromFileUrl } from "node:url";

/** The repository root, with a trailing slash. */
export const ROOT = fromFileUrl(new URL("../", import.meta.url));

/** True when this process can create network namespaces (root). */
export function isRoot(): boolean {
  return Deno.uid() === 0;
}

/**
 * Prints the one-line skip of a bench that needs root and returns true when
 * not root, so `deno task bench` runs through for everyone.
 */
export function skipUnlessRoot(bench: string): boolean {
  if (isRoot()) return false;
  console.log(`${bench}: skipped (needs root for unshare -n: sudo deno run -A bench/${bench}.ts)`);
  return true;
}

/** Compiles `bench/NAME.c` with `cc -O2` into a temporary file and returns its path. */
export async function buildC(name: string): Promise<string> {
  const binary = await Deno.makeTempFile({ prefix: `synfin-${name}-` });
  const cc = await new Deno.Command("cc", {
    args: ["-O2", "-o", binary, `${ROOT}bench/${name}.c`],
    stderr: "piped",
  }).output();
  if (!cc.success) throw new Error(`cc ${name}.c: ${new TextDecoder().decode(cc.stderr)}`);
  return binary;
}

/** Quotes arguments for bash. */
export function shellQuote(args: string[]): string {
  return args.map((arg) => `'${arg.replaceAll("'", `'\\''`)}'`).join(" ");
}

/** `synfin load ARGS` as a command line (this repository's cli.ts and deno.json). */
export function synfinLoad(args: string[]): string[] {
  return [
    Deno.execPath(),
    "run",
    "-q",
    "-A",
    "--config",
    `${ROOT}deno.json`,
    `${ROOT}cli.ts`,
    "load",
    ...args,
  ];
}

/**
 * Bash lines that start `COMMAND` in the background, wait for it to print
 * "ready" (bench/epoll_server.c) or any line (a reference server), and keep
 * its pid in `$server`. The namespace's script kills it at the end.
 */
export function startServerLines(command: string[], nofile = 20000): string {
  return `
srv_out=$(mktemp)
( ulimit -n ${nofile}; exec ${shellQuote(command)} ) > "$srv_out" 2>&1 &
server=$!
for i in $(seq 200); do [ -s "$srv_out" ] && break; sleep 0.05; done
[ -s "$srv_out" ] || { echo "server did not start" >&2; exit 1; }
trap 'kill $server 2>/dev/null; rm -f "$srv_out"' EXIT
`;
}

/** Runs a bash script in a fresh network namespace with loopback up; returns its stdout. */
export async function inNamespace(script: string): Promise<string> {
  const out = await new Deno.Command("unshare", {
    args: ["-n", "bash", "-c", `set -e\nip link set lo up\n${script}`],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(
      `namespace run failed (${out.code}): ${new TextDecoder().decode(out.stderr).trim()}`,
    );
  }
  return stdout;
}

/** The value of one `nstat -az` counter, as bash: `$(nstat_value TcpPassiveOpens)`. */
export const NSTAT_FUNCTION =
  `nstat_value() { nstat -az "$1" | awk -v k="$1" '$1 == k {print $2}'; }\n`;

/** The median (upper median for an even count). */
export function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

/** A JSON document printed after a marker line (the client's stdout may precede it). */
export function afterMarker(text: string, marker: string): string {
  const at = text.indexOf(`${marker}\n`);
  if (at < 0) throw new Error(`no ${marker} in output: ${text.slice(0, 500)}`);
  return text.slice(at + marker.length + 1);
}
