/**
 * Reads the kernel's TCP socket table into {@link SocketRow}s: from text in
 * either format (told apart by its first line), from this host's
 * `/proc/net/tcp` + `/proc/net/tcp6`, and a listener's backlog from `ss -lnt`.
 * The kernel's own rows are the ground truth for who holds TIME_WAIT, which
 * side leaks CLOSE_WAIT and how full an accept queue is, things a client
 * cannot see through its socket API.
 *
 * @module
 */

import {
  type CommandSpawnError,
  SocketTableFormatError,
  SocketTableUnavailableError,
} from "../base/errors.ts";
import { type CommandText, exitedWith, runCommand } from "../base/command_output.ts";
import { parseDecimal, splitFields } from "./fields.ts";
import { parseProcNetTcp } from "./proc_net_tcp.ts";
import { type SocketRow, uniqueSocketRows } from "./row.ts";
import { isSsState, parseSsTan } from "./ss.ts";

/**
 * Parses a socket table in either format: `/proc/net/tcp{,6}` text (one file
 * or several concatenated) or `ss -tan` output. Empty text gives no rows.
 *
 * @throws {SocketTableFormatError} when the text is in neither format.
 * @example
 * ```ts
 * import { parseSocketTable } from "./table.ts";
 * const rows = parseSocketTable("TIME-WAIT 0 0 127.0.0.1:34366 127.0.0.1:20002\n");
 * console.assert(rows[0].state === "TIME_WAIT" && rows[0].remotePort === 20002);
 * console.assert(parseSocketTable("").length === 0);
 * ```
 */
export function parseSocketTable(text: string): SocketRow[] {
  // The first non-blank line decides: a header, or a headerless first row.
  let start = 0;
  let first = "";
  while (start < text.length) {
    let end = text.indexOf("\n", start);
    if (end === -1) end = text.length;
    first = text.slice(start, end).trim();
    if (first !== "") break;
    start = end + 1;
  }
  if (first === "") return [];
  const [word, second] = splitFields(first, 2);
  if (word === "sl" && second === "local_address") return parseProcNetTcp(text);
  if (word === "State" && second === "Recv-Q") return parseSsTan(text);
  if (word.endsWith(":") && !Number.isNaN(parseDecimal(word, 0, word.length - 1))) {
    return parseProcNetTcp(text);
  }
  if (isSsState(word)) return parseSsTan(text);
  throw new SocketTableFormatError(
    `Unrecognised socket table: expected /proc/net/tcp or "ss -tan" output, got "${
      first.length > 60 ? `${first.slice(0, 60)}...` : first
    }"`,
  );
}

/**
 * Reads this host's TCP socket table (`/proc/net/tcp` and `/proc/net/tcp6`).
 *
 * Deno refuses to read `/proc/net/*` under `--allow-read` (only `--allow-all`
 * opens it), so the files are read by a `cat` subprocess: the caller needs
 * `--allow-run=cat`. A host without IPv6 has no tcp6 file; its rows are then
 * just the IPv4 ones.
 *
 * The result is not an atomic snapshot: the kernel serves the file in
 * page-sized reads and resumes each by position in a hash chain, so while
 * sockets come and go a socket can be listed twice (the repeats are removed
 * here, see {@linkcode uniqueSocketRows}) or not at all.
 *
 * @throws {SocketTableUnavailableError} when `cat` cannot be run or reads
 *   nothing.
 * @example
 * ```ts
 * import { readLocalSocketTable } from "./table.ts";
 * const rows = await readLocalSocketTable();
 * const timeWait = rows.filter((row) => row.state === "TIME_WAIT").length;
 * console.log(`${timeWait} sockets in TIME_WAIT`);
 * ```
 */
export async function readLocalSocketTable(): Promise<SocketRow[]> {
  const files = ["/proc/net/tcp", "/proc/net/tcp6"];
  const output = await runCommand("cat", files).catch((error: CommandSpawnError) => {
    throw new SocketTableUnavailableError(`Cannot read the socket table: ${error.message}`, {
      cause: error.cause,
    });
  });
  // cat exits 1 when tcp6 is missing but still prints tcp: keep that.
  if (output.stdout.trim() === "") {
    throw new SocketTableUnavailableError(
      `Cannot read the socket table: ${exitedWith(`cat ${files.join(" ")}`, output)}`,
      { cause: new Error(output.stderrLine || `exit code ${output.code}`) },
    );
  }
  return uniqueSocketRows(parseProcNetTcp(output.stdout));
}

/**
 * Returns the configured backlog of the LISTEN socket on `port` (any local
 * address), as `ss -lnt` reports it in Send-Q. `/proc/net/tcp` does not hold
 * the backlog, so this needs `ss` (and `--allow-run=ss`). With several
 * listeners on the port (IPv4 and IPv6), the first row's backlog is returned.
 *
 * Gives `undefined` when nothing listens on the port, `ss` is not installed,
 * or `ss` fails.
 *
 * @throws {RangeError} when `port` is not an integer in 1..65535.
 * @throws {SocketTableUnavailableError} when running `ss` is not permitted.
 * @example
 * ```ts
 * import { readListenBacklog } from "./table.ts";
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0, tcpBacklog: 7 });
 * console.assert((await readListenBacklog(listener.addr.port)) === 7);
 * listener.close();
 * ```
 */
export async function readListenBacklog(port: number): Promise<number | undefined> {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new RangeError(`Invalid port ${port}: use an integer in 1..65535`);
  }
  let output: CommandText;
  try {
    output = await runCommand("ss", ["-lntH", "sport", "=", `:${port}`]);
  } catch (error) {
    const cause = (error as CommandSpawnError).cause;
    if (cause instanceof Deno.errors.NotFound) return undefined;
    throw new SocketTableUnavailableError(
      `Cannot read the listen backlog: ${(error as Error).message}`,
      { cause },
    );
  }
  if (!output.success) return undefined;
  const rows = parseSsTan(output.stdout);
  // The filter already selects the port; checking again guards against an ss
  // that ignores filter expressions.
  return rows.find((row) => row.state === "LISTEN" && row.localPort === port)?.txQueue;
}
