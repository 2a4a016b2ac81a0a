import { runBurst } from "../lib/burst.ts";
import { startReferenceServer } from "../lib/reference_servers.ts";
const kind = Deno.args[0] ?? "well-behaved";
await using server = await startReferenceServer(kind as "well-behaved", {
  backlog: Number(Deno.args[1] ?? 4096),
});
for (const size of (Deno.args[2] ?? "16,256,1024").split(",").map(Number)) {
  const b = await runBurst(server.target, size, { holdMs: 1500 });
  const s = b.sockets;
  console.log(
    size,
    "loops",
    b.eventLoops,
    "spread",
    b.spreadMs.toFixed(1),
    "ms, first",
    b.firstSyn,
    "retrans",
    b.synRetransmitted,
    "outcomes",
    JSON.stringify(Object.fromEntries(Object.entries(b.tally.outcomes).filter(([, v]) => v > 0))),
    "halfOpen",
    s.available ? s.halfOpen : "-",
    "peakQ",
    s.available ? s.acceptQueue?.peak : "-",
    "overflows",
    s.counters?.listenOverflows,
    "p99",
    b.tally.histograms.handshake.stats().p99Us,
    "dur",
    b.durationMs.toFixed(0),
  );
}
