/**
 * A small reader of this host's `/proc/net/tcp` for the measurement scripts
 * (the project's own parser is `lib/census/table.ts`). Deno refuses to open
 * `/proc/net/*` under `--allow-read`, so `cat` reads it: `--allow-run=cat`.
 *
 * @module
 */

/** State codes of `/proc/net/tcp` (the kernel's `include/net/tcp_states.h`). */
export const STATES: Record<string, string> = {
  "01": "ESTABLISHED",
  "02": "SYN_SENT",
  "03": "SYN_RECV",
  "04": "FIN_WAIT1",
  "05": "FIN_WAIT2",
  "06": "TIME_WAIT",
  "07": "CLOSE",
  "08": "CLOSE_WAIT",
  "09": "LAST_ACK",
  "0A": "LISTEN",
  "0B": "CLOSING",
};

/** One IPv4 row, decoded, with the raw line. */
export interface Row {
  local: string;
  localPort: number;
  remote: string;
  remotePort: number;
  state: string;
  txQueue: number;
  rxQueue: number;
  inode: number;
  raw: string;
}

/** `0100007F:1F90` -> `["127.0.0.1", 8080]`: the address is a little-endian word, the port is not. */
export function decodeAddress(hex: string): [string, number] {
  const [address, port] = hex.split(":");
  const bytes = address.match(/../g)!.map((byte) => parseInt(byte, 16)).reverse();
  return [bytes.join("."), parseInt(port, 16)];
}

/** The IPv4 rows of `/proc/net/tcp`. */
export async function readRows(): Promise<Row[]> {
  const output = await new Deno.Command("cat", { args: ["/proc/net/tcp"], stdout: "piped" })
    .output();
  const lines = new TextDecoder().decode(output.stdout).split("\n").slice(1);
  return lines.filter((line) => line.trim() !== "").map((line) => {
    const fields = line.trim().split(/\s+/);
    const [local, localPort] = decodeAddress(fields[1]);
    const [remote, remotePort] = decodeAddress(fields[2]);
    const [tx, rx] = fields[4].split(":").map((hex) => parseInt(hex, 16));
    return {
      local,
      localPort,
      remote,
      remotePort,
      state: STATES[fields[3]] ?? fields[3],
      txQueue: tx,
      rxQueue: rx,
      inode: Number(fields[9]),
      raw: line.trim(),
    };
  });
}

/** Counts of states among the rows of one server port: its own sockets and its clients'. */
export async function statesOf(port: number): Promise<{ server: string; client: string }> {
  const rows = await readRows();
  const count = (side: Row[]) => {
    const counts = new Map<string, number>();
    for (const row of side) counts.set(row.state, (counts.get(row.state) ?? 0) + 1);
    return [...counts].map(([state, n]) => `${state} ${n}`).join(", ") || "none";
  };
  return {
    server: count(rows.filter((row) => row.localPort === port && row.state !== "LISTEN")),
    client: count(rows.filter((row) => row.remotePort === port)),
  };
}
