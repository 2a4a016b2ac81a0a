/**
 * Who holds TIME_WAIT, what a leaky server leaves in CLOSE_WAIT, and what a
 * full accept queue looks like in `/proc/net/tcp`, each against a fresh
 * listener on 127.0.0.1 in this process.
 *
 *     deno run --allow-net=127.0.0.1 --allow-run=cat docs/measure/lifecycle.ts
 *
 * Bounded: 50 connections per scenario, every wait at most 1 s; every socket
 * is closed before the script ends.
 *
 * @module
 */

import { readRows, statesOf } from "./proc_tcp.ts";

const N = 50;
const buffer = new Uint8Array(1024);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function listen(tcpBacklog = 511): { listener: Deno.TcpListener; port: number } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0, tcpBacklog });
  return { listener, port: (listener.addr as Deno.NetAddr).port };
}

async function untilEof(conn: Deno.Conn, ms: number): Promise<boolean> {
  const timer = sleep(ms).then(() => false);
  const eof = (async () => {
    try {
      while (await conn.read(buffer) !== null) { /* until the FIN */ }
      return true;
    } catch {
      return false;
    }
  })();
  return await Promise.race([eof, timer]);
}

/** Runs N sessions one after the other; `server` gets each accepted conn, `client` each connected one. */
async function scenario(
  name: string,
  server: (conn: Deno.Conn) => Promise<void>,
  client: (conn: Deno.Conn) => Promise<void>,
): Promise<void> {
  const { listener, port } = listen();
  const served: Promise<void>[] = [];
  // Accepts run beside the clients, so a client does not wait for its accept.
  const accepting = (async () => {
    for await (const conn of listener) served.push(server(conn));
  })().catch(() => {});
  for (let i = 0; i < N; i++) await client(await Deno.connect({ hostname: "127.0.0.1", port }));
  await sleep(100);
  const { server: s, client: c } = await statesOf(port);
  const timeWait = (await readRows()).filter((r) =>
    r.state === "TIME_WAIT" && (r.localPort === port || r.remotePort === port)
  );
  const inodeZero = timeWait.filter((r) => r.inode === 0).length;
  console.log(
    `${name}: server-side sockets: ${s}; client-side: ${c}` +
      (timeWait.length ? ` (TIME_WAIT rows with inode 0: ${inodeZero} of ${timeWait.length})` : ""),
  );
  listener.close();
  await accepting;
  await Promise.all(served);
}

// 1. The client closes first: it sends the first FIN, so it holds TIME_WAIT.
await scenario(
  "client closes first",
  async (conn) => {
    await untilEof(conn, 1000);
    conn.close();
  },
  async (conn) => {
    await conn.closeWrite();
    await untilEof(conn, 1000);
    conn.close();
  },
);

// 2. The server closes first (the client waits for its FIN): the server holds TIME_WAIT.
await scenario(
  "server closes first",
  (conn) => Promise.resolve(conn.close()),
  async (conn) => {
    await untilEof(conn, 1000);
    conn.close();
  },
);

// 3. A race: the server closes at accept, the client half-closes as soon as connect returns.
await scenario(
  "server closes at accept, client half-closes at once",
  (conn) => Promise.resolve(conn.close()),
  async (conn) => {
    await conn.closeWrite().catch(() => {});
    await untilEof(conn, 1000);
    conn.close();
  },
);

// 4. A leaky server: reads to EOF and never closes. The client waits 300 ms for a FIN, then closes.
{
  const held: Deno.Conn[] = [];
  await scenario(
    "leaky server (never closes)",
    async (conn) => {
      held.push(conn);
      await untilEof(conn, 1000);
    },
    async (conn) => {
      await conn.closeWrite();
      await untilEof(conn, 300);
      conn.close();
    },
  );
  for (const conn of held) conn.close();
}

// 5. Queued, never accepted: backlog 8, 12 connects; the LISTEN row's rx_queue is the queue length.
{
  const { listener, port } = listen(8);
  const clients: Deno.Conn[] = [];
  let timedOut = 0;
  await Promise.all(Array.from({ length: 12 }, async () => {
    try {
      clients.push(
        await Deno.connect({ hostname: "127.0.0.1", port, signal: AbortSignal.timeout(500) }),
      );
    } catch {
      timedOut++;
    }
  }));
  const listenRow = (await readRows()).find((r) => r.localPort === port && r.state === "LISTEN");
  console.log(
    `backlog 8, 12 connects, never accepted: ${clients.length} connected, ${timedOut} timed out ` +
      `after 500ms; LISTEN rx_queue ${listenRow?.rxQueue}; raw row: ${listenRow?.raw}`,
  );
  for (const conn of clients) conn.close();
  await sleep(100);
  const { server } = await statesOf(port);
  console.log(`  after the clients close: server-side sockets: ${server}`);
  listener.close();
}
