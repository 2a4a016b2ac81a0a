/**
 * How resets and closes reach a `Deno.connect` client on loopback:
 *
 * 1. a `node:net` server calling `resetAndDestroy()` after our FIN;
 * 2. a server that resets 50 ms after accept, seen through a write, then `closeWrite()` and `read()`
 *    (is the RST reported once, or on every operation?);
 * 3. a `Deno.listen` server calling `close()` with our bytes unread (FIN or RST?).
 *
 *     deno run --allow-net=127.0.0.1 docs/measure/reset.ts
 *
 * Bounded: three connections, every wait at most 1 s; 127.0.0.1 only.
 *
 * @module
 */

import { createServer, type Server, type Socket } from "node:net";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function settle(operation: () => Promise<unknown>): Promise<string> {
  try {
    const value = await Promise.race([operation(), sleep(1000).then(() => "timeout")]);
    if (value === "timeout") return "no answer within 1s";
    if (value === null) return "null (EOF)";
    return value === undefined ? "ok" : `ok (${JSON.stringify(value)})`;
  } catch (error) {
    const e = error as Error & { code?: string };
    return `${e.name}${e.code ? ` ${e.code}` : ""}`;
  }
}

async function nodeServer(onSocket: (socket: Socket) => void): Promise<[Server, number]> {
  const server = createServer(onSocket);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return [server, (server.address() as { port: number }).port];
}

async function closeServer(server: Server): Promise<void> {
  await new Promise((resolve) => server.close(resolve));
}

// 1. RST in answer to our FIN.
{
  const [server, port] = await nodeServer((socket) => {
    socket.on("end", () => socket.resetAndDestroy());
    socket.on("error", () => {});
  });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.closeWrite();
  console.log(
    `resetAndDestroy() after our FIN: read -> ${await settle(() => conn.read(new Uint8Array(8)))}`,
  );
  conn.close();
  await closeServer(server);
}

// 2. RST 50 ms after accept, consumed by a write: what do closeWrite and read say afterwards?
{
  const [server, port] = await nodeServer((socket) => {
    socket.on("error", () => {});
    setTimeout(() => socket.resetAndDestroy(), 50);
  });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await sleep(150);
  const write = await settle(() => conn.write(new Uint8Array([1])));
  const write2 = await settle(() => conn.write(new Uint8Array([1])));
  const closeWrite = await settle(async () => {
    await conn.closeWrite();
  });
  const read = await settle(() => conn.read(new Uint8Array(8)));
  console.log(
    `reset 50ms after accept: write -> ${write}; write -> ${write2}; closeWrite -> ${closeWrite}; read -> ${read}`,
  );
  conn.close();
  await closeServer(server);
}

// 3. A Deno server closes with our bytes unread.
{
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const accepted = listener.accept();
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(new Uint8Array(100));
  const server = await accepted;
  await sleep(50);
  server.close();
  console.log(
    `Deno server close() with 100 unread bytes: read -> ${await settle(() =>
      conn.read(new Uint8Array(8))
    )}`,
  );
  conn.close();
  listener.close();
}
