/**
 * Loopback handshake time of sequential `Deno.connect` calls: one connection
 * at a time to a listener in this process, each closed by the client before
 * the next (so the client holds the TIME_WAIT, on ports of the ephemeral
 * range).
 *
 *     deno run -A docs/measure/handshake.ts 2000
 *
 * Bounded: at most 20,000 connections, each aborted after 2 s; 127.0.0.1 only.
 *
 * @module
 */

const count = Number(Deno.args[0] ?? 2000);
if (!Number.isInteger(count) || count < 1 || count > 20_000) throw new Error("count: 1..20000");

const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
const port = (listener.addr as Deno.NetAddr).port;
const accepting = (async () => {
  for await (const conn of listener) conn.close();
})().catch(() => {});

const us: number[] = [];
for (let i = 0; i < count; i++) {
  const begun = performance.now();
  const conn = await Deno.connect({
    hostname: "127.0.0.1",
    port,
    signal: AbortSignal.timeout(2000),
  });
  us.push((performance.now() - begun) * 1000);
  conn.close();
}
listener.close();
await accepting;

us.sort((a, b) => a - b);
const at = (q: number) => us[Math.min(us.length - 1, Math.floor(q * us.length))].toFixed(0);
console.log(
  `${count} sequential Deno.connect to 127.0.0.1: p50 ${at(0.5)}us, p90 ${at(0.9)}us, ` +
    `p99 ${at(0.99)}us, max ${at(1)}us`,
);
