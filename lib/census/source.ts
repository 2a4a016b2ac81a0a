/**
 * Where a socket census reads the kernel's TCP table from: this host's
 * `/proc/net/tcp{,6}`, or a command that prints the server host's table
 * (`--server-sockets`).
 *
 * @module
 */

import { type CommandSpawnError, SocketTableUnavailableError } from "../base/errors.ts";
import { parseSocketTable, readLocalSocketTable } from "./table.ts";
import { type SocketRow, uniqueSocketRows } from "./row.ts";
import { parseSsTan } from "./ss.ts";
import { isLoopback, type Target } from "../base/target.ts";
import { type CommandText, exitedWith, runCommand } from "../base/command_output.ts";
import { describeError, errnoOfAny } from "../base/errno.ts";

/** A readable TCP socket table. */
export interface SocketSource {
  /** What is read, for the report: `local /proc/net/tcp`, `command: ssh db cat ...`. */
  readonly description: string;
  /** Whether this is the tester's own host (its rows hold the tester's sockets too). */
  readonly local: boolean;
  /** Reads the table now. */
  read(): Promise<SocketRow[]>;
}

/**
 * This host's table, read through `cat` (see `readLocalSocketTable`).
 *
 * @example
 * ```ts
 * import { localSocketSource } from "./source.ts";
 * const rows = await localSocketSource().read();
 * console.log(rows.length);
 * ```
 */
export function localSocketSource(): SocketSource {
  return { description: "local /proc/net/tcp", local: true, read: readLocalSocketTable };
}

/**
 * This host's sockets of one port (either end), read with `ss -tanoe` and a
 * port filter. The kernel applies the filter (inet_diag bytecode), so a read
 * costs about the same on a host holding 30,000 TIME_WAIT sockets from a
 * load run as on an idle one, where reading all of `/proc/net/tcp` takes
 * tens of ms and slows the census exactly when it matters. `ss` also gives
 * the listen backlog (Send-Q of the LISTEN row) and the retransmit timer;
 * `-e` the inodes, which tell a queued connection (inode 0) from an
 * accepted one and a reused port's new socket from the old one.
 *
 * @example
 * ```ts
 * import { portSocketSource } from "./source.ts";
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0, tcpBacklog: 7 });
 * const port = (listener.addr as Deno.NetAddr).port;
 * const rows = await portSocketSource(port).read();
 * console.assert(rows.some((row) => row.state === "LISTEN" && row.txQueue === 7));
 * listener.close();
 * ```
 */
export function portSocketSource(port: number): SocketSource {
  const filter = `( sport = :${port} or dport = :${port} )`;
  return {
    description: `local ss (port ${port})`,
    local: true,
    async read() {
      const output = await runCommand("ss", ["-tanoeH", filter]).catch(
        (error: CommandSpawnError) => {
          throw new SocketTableUnavailableError(`Cannot read the socket table: ${error.message}`, {
            cause: error.cause,
          });
        },
      );
      if (!output.success) {
        throw new SocketTableUnavailableError(
          `Cannot read the socket table: ${exitedWith("ss", output)}`,
        );
      }
      return uniqueSocketRows(parseSsTan(output.stdout));
    },
  };
}

/** Options of {@link commandSocketSource}. */
export interface CommandSocketSourceOptions {
  /** Kill the command after this long. Default 10 s. */
  timeoutMs?: number;
}

/**
 * A shell command whose output is the server host's `/proc/net/tcp` (and
 * tcp6) or `ss -tan`, e.g. `ssh db cat /proc/net/tcp /proc/net/tcp6` or
 * `kubectl exec pod -- cat /proc/net/tcp`. Run with `sh -c` so pipes and
 * quoting work as typed, under `timeout`; that needs `--allow-run=timeout,sh`.
 *
 * @example
 * ```ts
 * import { commandSocketSource } from "./source.ts";
 * const source = commandSocketSource("cat /proc/net/tcp");
 * console.log((await source.read()).length);
 * ```
 */
export function commandSocketSource(
  command: string,
  options: CommandSocketSourceOptions = {},
): SocketSource {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return {
    description: `command: ${command}`,
    local: false,
    async read() {
      let output: CommandText;
      try {
        // Killing sh alone leaves its children (ssh, sleep) holding stdout
        // open, and the read waits for them; timeout(1) runs the command in
        // its own process group and kills the whole group.
        output = await runCommand("timeout", [
          "-k",
          "1",
          `${timeoutMs / 1000}`,
          "sh",
          "-c",
          command,
        ]);
      } catch (error) {
        const cause = (error as CommandSpawnError).cause;
        const errno = errnoOfAny(cause);
        const why = errno === "ENOTCAPABLE" || errno === "EACCES"
          ? "not allowed to run it (grant --allow-run=timeout,sh)"
          : describeError(error);
        throw new SocketTableUnavailableError(
          `Cannot read the server's sockets with "${command}": ${why}`,
          { cause },
        );
      }
      // 124: timed out (TERM), 137: killed after the grace second. A table
      // cut short would be counted as if complete: reject it.
      if (output.code === 124 || output.code === 137) {
        throw new SocketTableUnavailableError(
          `Cannot read the server's sockets with "${command}": no answer within ${timeoutMs} ms`,
        );
      }
      if (!output.success && output.stdout.trim() === "") {
        throw new SocketTableUnavailableError(
          `Cannot read the server's sockets: ${exitedWith(`"${command}"`, output)}`,
          { cause: new Error(output.stderrLine || `exit code ${output.code}`) },
        );
      }
      return uniqueSocketRows(parseSocketTable(output.stdout));
    },
  };
}

/**
 * Whether the target's host is this host: a loopback address, or an
 * address of one of this host's interfaces. Such a server's sockets are in
 * the local table. A host name other than `localhost` is not resolved:
 * give the address to get a local census.
 *
 * @example
 * ```ts
 * import { isThisHost } from "./source.ts";
 * console.assert(isThisHost({ hostname: "127.0.0.1", port: 80, label: "127.0.0.1:80" }));
 * ```
 */
export function isThisHost(target: Target): boolean {
  if (isLoopback(target)) return true;
  try {
    const host = target.hostname.toLowerCase();
    return Deno.networkInterfaces().some((nic) => nic.address.toLowerCase() === host);
  } catch {
    // No sys permission for networkInterfaces: only loopback counts as local.
    return false;
  }
}
