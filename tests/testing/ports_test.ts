/** Tests for lib/testing/ports.ts: a port with lingering sockets is not quiet. */

import assert from "node:assert/strict";
import { portIsQuiet } from "../../lib/testing/ports.ts";
import { listenBelowEphemeral } from "../../lib/testing/reference_servers.ts";

Deno.test("portIsQuiet: a listening port is not quiet; a closed one with no sockets left is", async () => {
  const listener = listenBelowEphemeral();
  const port = (listener.addr as Deno.NetAddr).port;
  assert.equal(portIsQuiet(port), false);
  listener.close();
  // Nothing connected, so nothing lingers once the listener is gone.
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(portIsQuiet(port), true);
});

Deno.test("portIsQuiet: a connection still open on a closed listener's port makes it not quiet", async () => {
  // (A server-side TIME_WAIT counts the same way, but whether the kernel keeps
  // one depends on its TIME_WAIT table not being full: an open connection is
  // deterministic.)
  const listener = listenBelowEphemeral();
  const port = (listener.addr as Deno.NetAddr).port;
  const accepted = listener.accept();
  const client = await Deno.connect({ hostname: "127.0.0.1", port });
  const server = await accepted;
  listener.close();
  assert.equal(portIsQuiet(port), false);
  server.close();
  client.close();
});
