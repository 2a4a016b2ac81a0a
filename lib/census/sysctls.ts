/**
 * Reads the kernel settings that shape a TCP connection's lifecycle: accept-
 * and SYN-queue sizes, syncookies, the SYN retry schedule, the ephemeral port
 * range and TIME_WAIT reuse. They differ between hosts, so a report must state
 * the values it ran under instead of assuming defaults.
 *
 * Most of these are per network namespace (`net.core.somaxconn` included), so
 * they are read from the namespace the tester runs in.
 *
 * @module
 */

/**
 * A client's ephemeral (local) port range, both ends included.
 *
 * @example
 * ```ts
 * import type { PortRange } from "./sysctls.ts";
 * const range: PortRange = { low: 32768, high: 60999 };
 * console.assert(range.high - range.low + 1 === 28232);
 * ```
 */
export interface PortRange {
  /** First port the kernel hands out. */
  low: number;
  /** Last port the kernel hands out. */
  high: number;
}

/**
 * TCP-related sysctls. A value the kernel does not have or that could not be
 * read is `undefined`.
 *
 * @example
 * ```ts
 * import type { TcpSysctls } from "./sysctls.ts";
 * const acceptQueueCap = (s: TcpSysctls, backlog: number) =>
 *   s.somaxconn === undefined ? backlog : Math.min(backlog, s.somaxconn);
 * console.assert(acceptQueueCap({ somaxconn: 4096 } as TcpSysctls, 8192) === 4096);
 * ```
 */
export interface TcpSysctls {
  /** net.core.somaxconn: the cap on every listen backlog (the accept queue). */
  somaxconn: number | undefined;
  /** net.ipv4.tcp_max_syn_backlog: the SYN (request) queue limit per listener. */
  tcpMaxSynBacklog: number | undefined;
  /** net.ipv4.tcp_syncookies: 0 off, 1 when the SYN queue is full, 2 always. */
  tcpSyncookies: number | undefined;
  /** net.ipv4.tcp_abort_on_overflow: 1 = RST instead of dropping on a full accept queue. */
  tcpAbortOnOverflow: number | undefined;
  /** net.ipv4.ip_local_port_range: ports for client sockets. */
  ephemeralPortRange: PortRange | undefined;
  /** net.ipv4.tcp_fin_timeout: seconds an orphaned FIN_WAIT2 socket is kept. */
  tcpFinTimeout: number | undefined;
  /** net.ipv4.tcp_syn_retries: SYN retransmissions before connect() gives up. */
  tcpSynRetries: number | undefined;
  /** net.ipv4.tcp_syn_linear_timeouts: SYN retries at a fixed 1 s before backoff (new kernels). */
  tcpSynLinearTimeouts: number | undefined;
  /** net.ipv4.tcp_tw_reuse: 0 off, 1 on, 2 loopback only: reuse of TIME_WAIT ports by connect(). */
  tcpTwReuse: number | undefined;
}

/**
 * The files {@linkcode readTcpSysctls} passes to `cat`, in order; the text
 * {@linkcode parseTcpSysctls} takes is `cat`'s output for exactly these.
 *
 * @example
 * ```ts
 * import { TCP_SYSCTL_FILES } from "./sysctls.ts";
 * console.assert(TCP_SYSCTL_FILES.somaxconn === "/proc/sys/net/core/somaxconn");
 * ```
 */
export const TCP_SYSCTL_FILES: Readonly<Record<keyof TcpSysctls, string>> = Object.freeze({
  somaxconn: "/proc/sys/net/core/somaxconn",
  tcpMaxSynBacklog: "/proc/sys/net/ipv4/tcp_max_syn_backlog",
  tcpSyncookies: "/proc/sys/net/ipv4/tcp_syncookies",
  tcpAbortOnOverflow: "/proc/sys/net/ipv4/tcp_abort_on_overflow",
  ephemeralPortRange: "/proc/sys/net/ipv4/ip_local_port_range",
  tcpFinTimeout: "/proc/sys/net/ipv4/tcp_fin_timeout",
  tcpSynRetries: "/proc/sys/net/ipv4/tcp_syn_retries",
  tcpSynLinearTimeouts: "/proc/sys/net/ipv4/tcp_syn_linear_timeouts",
  tcpTwReuse: "/proc/sys/net/ipv4/tcp_tw_reuse",
});

const FIELDS = Object.keys(TCP_SYSCTL_FILES) as (keyof TcpSysctls)[];

/** Options of {@linkcode parseTcpSysctls}. */
export interface ParseTcpSysctlsOptions {
  /**
   * `cat`'s stderr. `cat` skips a file it cannot open and names it there
   * (`cat: PATH: No such file or directory`); the remaining lines of stdout
   * belong to the remaining files, in order.
   */
  stderr?: string;
}

function noSysctls(): TcpSysctls {
  const sysctls = {} as Record<keyof TcpSysctls, undefined>;
  for (const field of FIELDS) sysctls[field] = undefined;
  return sysctls;
}

function parseCount(text: string): number | undefined {
  return /^-?\d+$/.test(text) ? Number(text) : undefined;
}

/** Whether a line of cat's stderr names `path` (GNU: `cat: P: ...`, busybox: `'P'`). */
function namesFile(line: string, path: string): boolean {
  const at = line.indexOf(path);
  if (at === -1) return false;
  const next = line.charAt(at + path.length);
  return !/[\w/.-]/.test(next);
}

/**
 * Parses the output of `cat` run on {@linkcode TCP_SYSCTL_FILES} (in that
 * order). Each of those files holds one line, so lines map to files in order
 * once the files `cat` reported as unreadable are skipped.
 *
 * Never throws: a missing or malformed value is `undefined`, and when the line
 * count does not match the files read, every value is `undefined`, since no
 * line can be attributed safely.
 *
 * @example
 * ```ts
 * import { parseTcpSysctls } from "./sysctls.ts";
 * const stdout = "4096\n2048\n1\n0\n32768\t60999\n60\n6\n2\n";
 * const stderr = "cat: /proc/sys/net/ipv4/tcp_syn_linear_timeouts: No such file or directory\n";
 * const sysctls = parseTcpSysctls(stdout, { stderr });
 * console.assert(sysctls.somaxconn === 4096 && sysctls.tcpTwReuse === 2);
 * console.assert(sysctls.ephemeralPortRange?.low === 32768);
 * console.assert(sysctls.tcpSynLinearTimeouts === undefined);
 * ```
 */
export function parseTcpSysctls(stdout: string, options: ParseTcpSysctlsOptions = {}): TcpSysctls {
  const errorLines = (options.stderr ?? "").split("\n").filter((line) => line.trim() !== "");
  const readable = FIELDS.filter((field) =>
    !errorLines.some((line) => namesFile(line, TCP_SYSCTL_FILES[field]))
  );
  const lines = stdout.split("\n").map((line) => line.trim());
  if (lines.at(-1) === "") lines.pop();
  const sysctls = noSysctls();
  if (lines.length !== readable.length) return sysctls;
  readable.forEach((field, i) => {
    const line = lines[i];
    if (field === "ephemeralPortRange") {
      const [low, high, extra] = line.split(/\s+/).map(parseCount);
      if (low !== undefined && high !== undefined && extra === undefined && low <= high) {
        sysctls.ephemeralPortRange = { low, high };
      }
    } else {
      sysctls[field] = parseCount(line);
    }
  });
  return sysctls;
}

/**
 * Reads the TCP sysctls of the current network namespace.
 *
 * Deno refuses to read `/proc/sys/*` under `--allow-read` (measured on Deno
 * 2.9: `NotCapable`, "Requires all access", with any read scope), so one `cat`
 * subprocess reads every file: the caller needs `--allow-run=cat`.
 *
 * Never throws: a setting the kernel lacks (`tcp_syn_linear_timeouts` on older
 * kernels) is `undefined`, and when `cat` cannot be run at all every value
 * is `undefined`.
 *
 * @example
 * ```ts
 * import { readTcpSysctls } from "./sysctls.ts";
 * const sysctls = await readTcpSysctls();
 * console.log(`somaxconn=${sysctls.somaxconn ?? "unknown"}`);
 * ```
 */
export async function readTcpSysctls(): Promise<TcpSysctls> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command("cat", {
      args: FIELDS.map((field) => TCP_SYSCTL_FILES[field]),
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch {
    return noSysctls();
  }
  const decoder = new TextDecoder();
  return parseTcpSysctls(decoder.decode(output.stdout), { stderr: decoder.decode(output.stderr) });
}
