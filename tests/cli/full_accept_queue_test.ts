import assert from "node:assert/strict";
import { fullAcceptQueue } from "../../lib/cli/full_accept_queue.ts";
import { startReferenceServer } from "../../lib/testing/reference_servers.ts";

Deno.test("a never-accepting listener's full accept queue is seen; an accepting one is not", async () => {
  await using never = await startReferenceServer("never-accepts", { backlog: 2 });
  assert.equal(await fullAcceptQueue(never.target), undefined);
  const conns: Deno.TcpConn[] = [];
  // Backlog 2 holds 3 (the kernel's check is queue > backlog); the 4th SYN is dropped.
  for (let i = 0; i < 3; i++) conns.push(await Deno.connect(never.target));
  const full = await fullAcceptQueue(never.target);
  for (const conn of conns) conn.close();
  assert.ok(full !== undefined && full.backlog === 2 && full.queued >= 2, JSON.stringify(full));

  await using good = await startReferenceServer("well-behaved");
  const conn = await Deno.connect(good.target);
  assert.equal(await fullAcceptQueue(good.target), undefined);
  conn.close();
});
