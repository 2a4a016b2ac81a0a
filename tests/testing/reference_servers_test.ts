import assert from "node:assert/strict";
import { startReferenceServer } from "../../lib/testing/reference_servers.ts";

/** Whether the server answers our FIN with its own within `ms`. */
async function answersFin(port: number, ms: number): Promise<boolean> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.closeWrite();
    const eof = conn.read(new Uint8Array(1)).then((n) => n === null, () => false);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<false>((resolve) => timer = setTimeout(() => resolve(false), ms));
    const answered = await Promise.race([eof, late]);
    clearTimeout(timer);
    return answered;
  } finally {
    conn.close();
  }
}

Deno.test("leaky with leakFirst 2 and leakEvery 3 leaves connections 1, 2, 5 and 8 in CLOSE_WAIT", async () => {
  await using server = await startReferenceServer("leaky", { leakFirst: 2, leakEvery: 3 });
  const answered: boolean[] = [];
  // One at a time, so the accept order is the connect order.
  for (let i = 0; i < 8; i++) answered.push(await answersFin(server.target.port, 300));
  assert.deepEqual(answered, [false, false, true, true, false, true, true, false]);
});

Deno.test("leaky by default leaks every connection; leakEvery must be a whole number", async () => {
  await using server = await startReferenceServer("leaky");
  assert.equal(await answersFin(server.target.port, 200), false);
  assert.throws(() => startReferenceServer("leaky", { leakEvery: 0 }), RangeError);
});
