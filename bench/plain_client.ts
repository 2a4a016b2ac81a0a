/**
 * The baseline client of the benchmarks: what a user would write by hand in
 * one Deno event loop. `deno run -A bench/plain_client.ts MODE HOST PORT C MS`
 * prints one JSON line `{"sessions": N, "durationMs": T}`.
 *
 * Modes: `eof` half-closes at once and reads until the server's FIN;
 * `accept-close` reads until the server's FIN without sending ours first;
 * `http` sends an HTTP/1.0 request and reads the response until the FIN.
 *
 * @module
 */

const [mode, hostname, portText, concurrencyText, msText] = Deno.args;
const port = Number(portText);
const concurrency = Number(concurrencyText);
const runMs = Number(msText);
const request = new TextEncoder().encode("GET / HTTP/1.0\r\n\r\n");
const buffer = new Uint8Array(4096);
let sessions = 0;
let failed = 0;
const start = performance.now();
await Promise.all(Array.from({ length: concurrency }, async () => {
  while (performance.now() - start < runMs) {
    try {
      const conn = await Deno.connect({ hostname, port });
      try {
        if (mode === "eof") await conn.closeWrite();
        if (mode === "http") await conn.write(request);
        while (await conn.read(buffer) !== null) { /* until the server's FIN */ }
      } finally {
        conn.close();
      }
      sessions++;
    } catch {
      failed++;
    }
  }
}));
console.log(JSON.stringify({ sessions, failed, durationMs: performance.now() - start }));
