/**
 * Measures the in-flight stall of one Deno event loop.
 *
 * C sessions run in a closed loop for `RUN_MS` against a loopback server:
 * connect, half-close, read until the server's FIN, close, again. The server
 * (this script, started with `--serve`) runs in another process, or with
 * `--same-loop` in this event loop beside the clients. A loopback handshake
 * takes microseconds to a few ms, so a connect that "took" at least half the
 * run waited on this process's event loop, not on the network.
 *
 *     deno run -A docs/measure/stall.ts 100 128 129 200
 *     deno run -A docs/measure/stall.ts --same-loop 100 128 129 200
 *
 * Bounded: every run stops starting sessions after `RUN_MS` and every connect
 * and read is aborted `RUN_MS` + 2 s after the start; 127.0.0.1 only.
 *
 * @module
 */

const RUN_MS = 3000;

async function serve(listener: Deno.TcpListener): Promise<void> {
  for await (const conn of listener) {
    (async () => {
      const buffer = new Uint8Array(1024);
      try {
        while (await conn.read(buffer) !== null) { /* until the client's FIN */ }
      } catch { /* reset */ }
      conn.close();
    })();
  }
}

async function measure(port: number, concurrency: number, where: string): Promise<void> {
  const start = performance.now();
  const stop = AbortSignal.timeout(RUN_MS + 2000);
  const connectMs: number[] = [];
  let failed = 0;
  const buffer = new Uint8Array(1024);
  const loop = async () => {
    while (performance.now() - start < RUN_MS && !stop.aborted) {
      const begun = performance.now();
      let conn: Deno.TcpConn;
      try {
        conn = await Deno.connect({ hostname: "127.0.0.1", port, signal: stop });
      } catch {
        failed++;
        return;
      }
      connectMs.push(performance.now() - begun);
      try {
        await conn.closeWrite();
        while (await conn.read(buffer) !== null) { /* until the server's FIN */ }
      } catch {
        failed++;
      }
      conn.close();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  const ms = performance.now() - start;
  connectMs.sort((a, b) => a - b);
  const stalled = connectMs.filter((x) => x >= RUN_MS / 2).length;
  const at = (q: number) =>
    connectMs[Math.min(connectMs.length - 1, Math.floor(q * connectMs.length))];
  console.log(
    `${where} C=${concurrency}: ${connectMs.length} sessions in ${
      ms.toFixed(0)
    }ms, ${failed} failed; ` +
      `connect p50 ${at(0.5).toFixed(2)}ms p99 ${at(0.99).toFixed(2)}ms max ${
        at(1).toFixed(0)
      }ms; ` +
      `stalled (connect >= ${RUN_MS / 2}ms): ${stalled}`,
  );
}

function listen(): Deno.TcpListener {
  return Deno.listen({ hostname: "127.0.0.1", port: 0, tcpBacklog: 4096 });
}

async function main(args: string[]): Promise<void> {
  if (args[0] === "--serve") {
    const listener = listen();
    console.log((listener.addr as Deno.NetAddr).port);
    return await serve(listener);
  }
  const sameLoop = args[0] === "--same-loop";
  const sizes = (sameLoop ? args.slice(1) : args).map(Number);
  if (sizes.length === 0) sizes.push(100, 128, 129, 200);
  if (sizes.some((c) => !Number.isInteger(c) || c < 1 || c > 1000)) throw new Error("C: 1..1000");
  if (sameLoop) {
    const listener = listen();
    const serving = serve(listener).catch(() => {});
    for (const size of sizes) {
      await measure((listener.addr as Deno.NetAddr).port, size, "same loop");
    }
    listener.close();
    return await serving;
  }
  const server = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", import.meta.filename!, "--serve"],
    stdout: "piped",
  }).spawn();
  const reader = server.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const port = Number((await reader.read()).value);
  try {
    for (const size of sizes) await measure(port, size, "server in another process");
  } finally {
    server.kill();
    await server.status;
    reader.releaseLock();
  }
}

await main(Deno.args);
