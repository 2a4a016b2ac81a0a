/**
 * Parses the kernel's own socket table files, `/proc/net/tcp` and
 * `/proc/net/tcp6`: hex addresses in host byte order, hex state codes, and
 * the queue, timer and inode columns `ss` needs options for.
 *
 * @module
 */

import { formatError, parseDecimal, parseHex, splitFields } from "./fields.ts";
import { type SocketRow, TCP_STATES } from "./row.ts";

/** Renders 8 IPv6 groups the way `inet_ntop` (and so `ss`) does, per RFC 5952. */
function formatIpv6(groups: number[]): string {
  // The longest run of two or more zero groups becomes "::"; the first wins a tie.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  if (bestStart === -1) return groups.map((g) => g.toString(16)).join(":");
  const head = groups.slice(0, bestStart).map((g) => g.toString(16)).join(":");
  const tail = groups.slice(bestStart + bestLength).map((g) => g.toString(16)).join(":");
  return `${head}::${tail}`;
}

/**
 * Decodes a `/proc/net/tcp{,6}` address: 8 or 32 hex digits, printed by the
 * kernel as host-order 32-bit words, so each word's bytes come out reversed
 * on little-endian machines (127.0.0.1 is `0100007F`).
 */
function decodeProcAddress(hex: string): string | undefined {
  if (hex.length === 8) {
    const word = parseHex(hex, 0, 8);
    if (Number.isNaN(word)) return undefined;
    return `${word & 255}.${(word >>> 8) & 255}.${(word >>> 16) & 255}.${word >>> 24}`;
  }
  if (hex.length !== 32) return undefined;
  const bytes = new Array<number>(16);
  for (let w = 0; w < 4; w++) {
    const word = parseHex(hex, w * 8, w * 8 + 8);
    if (Number.isNaN(word)) return undefined;
    bytes[w * 4] = word & 255;
    bytes[w * 4 + 1] = (word >>> 8) & 255;
    bytes[w * 4 + 2] = (word >>> 16) & 255;
    bytes[w * 4 + 3] = word >>> 24;
  }
  const groups = new Array<number>(8);
  for (let g = 0; g < 8; g++) groups[g] = (bytes[g * 2] << 8) | bytes[g * 2 + 1];
  const mapped = groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 &&
    groups[4] === 0 && groups[5] === 0xffff;
  // A dual-stack socket reached over IPv4 sits in tcp6 with a mapped address;
  // its peer is in tcp with the plain one, and they must compare equal.
  if (mapped) return `${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`;
  return formatIpv6(groups);
}

/**
 * Parses the text of `/proc/net/tcp`, `/proc/net/tcp6`, or several of them
 * concatenated (each with its `sl local_address ...` header), as
 * `cat /proc/net/tcp /proc/net/tcp6` prints them.
 *
 * Request sockets (a handshake the server has not completed) are printed by
 * the kernel with code 03 SYN_RECV, so NEW_SYN_RECV (0C) is decoded but rarely
 * seen. TIME_WAIT, SYN_RECV and not-yet-accepted rows have inode 0.
 *
 * @throws {SocketTableFormatError} when a row is not in the kernel's format.
 * @example
 * ```ts
 * import { parseProcNetTcp } from "./proc_net_tcp.ts";
 * const text =
 *   "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n" +
 *   "   0: 0100007F:4E21 00000000:0000 0A 00000000:00000001 00:00000000 00000000     0        0 627825 1 0000000000000000 100 0 0 10 0\n";
 * const [row] = parseProcNetTcp(text);
 * console.assert(row.localAddress === "127.0.0.1" && row.localPort === 20001);
 * console.assert(row.state === "LISTEN" && row.rxQueue === 1);
 * ```
 */
export function parseProcNetTcp(text: string): SocketRow[] {
  const rows: SocketRow[] = [];
  // Few distinct addresses recur across thousands of rows.
  const addresses = new Map<string, string | undefined>();
  const address = (hex: string) => {
    let decoded = addresses.get(hex);
    if (decoded === undefined && !addresses.has(hex)) {
      decoded = decodeProcAddress(hex);
      addresses.set(hex, decoded);
    }
    return decoded;
  };
  const lines = text.split("\n");
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n];
    const fields = splitFields(line, 10);
    if (fields.length === 0 || fields[0] === "sl") continue;
    const bad: (why: string) => never = (why) => formatError("/proc/net/tcp", n + 1, why, line);
    if (fields.length < 10 || !fields[0].endsWith(":")) bad("expected a /proc/net/tcp row");
    const [, local, remote, st, queues, timer, retransmits, , , inode] = fields;

    const localColon = local.indexOf(":");
    const remoteColon = remote.indexOf(":");
    const localAddress = address(local.slice(0, localColon));
    const remoteAddress = address(remote.slice(0, remoteColon));
    const localPort = parseHex(local, localColon + 1, local.length);
    const remotePort = parseHex(remote, remoteColon + 1, remote.length);
    if (
      localAddress === undefined || remoteAddress === undefined || Number.isNaN(localPort) ||
      Number.isNaN(remotePort) || localPort > 65535 || remotePort > 65535
    ) {
      bad("bad address or port");
    }

    const code = st.length === 2 ? parseHex(st, 0, 2) : NaN;
    const state = TCP_STATES[code - 1];
    if (state === undefined) bad(`unknown state code "${st}"`);

    const queueColon = queues.indexOf(":");
    const txQueue = parseHex(queues, 0, queueColon);
    const rxQueue = parseHex(queues, queueColon + 1, queues.length);
    const timerActive = parseHex(timer, 0, timer.indexOf(":"));
    const retransmitCount = parseHex(retransmits, 0, retransmits.length);
    const inodeNumber = parseDecimal(inode);
    if (
      Number.isNaN(txQueue) || Number.isNaN(rxQueue) || Number.isNaN(timerActive) ||
      Number.isNaN(retransmitCount) || Number.isNaN(inodeNumber)
    ) {
      bad("bad queue, timer, retransmit or inode field");
    }

    rows.push({
      localAddress,
      localPort,
      remoteAddress,
      remotePort,
      state,
      txQueue,
      rxQueue,
      timerActive,
      retransmits: retransmitCount,
      inode: inodeNumber,
    });
  }
  return rows;
}
