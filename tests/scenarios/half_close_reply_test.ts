/**
 * The built-in `half-close-reply` scenario, one session at a time against
 * the reference servers, on the engine's socket layer: the request and our
 * FIN at once, then the reply read to the server's FIN.
 */
import assert from "node:assert/strict";
import { type CheckCount, takeChecks } from "../../lib/engine/scripted/checks.ts";
import { nodeSocketLayer } from "../../lib/engine/scripted/node_socket.ts";
import { runScriptedSession } from "../../lib/engine/scripted/run_scripted.ts";
import type { SocketLayer } from "../../lib/engine/scripted/socket.ts";
import { openLibc } from "../../lib/engine/raw/libc.ts";
import { type RawSocketLayer, rawSocketLayer } from "../../lib/engine/raw/raw_scenario_socket.ts";
import type { SessionRecord } from "../../lib/engine/session.ts";
import type { Target } from "../../lib/base/target.ts";
import { startReferenceServer } from "../../lib/testing/reference_servers.ts";
import halfCloseReply, { DEFAULT_REQUEST } from "../../scenarios/sessions/half_close_reply.ts";

const RAW = Deno.env.get("SYNFIN_ENGINE") === "raw";
const LAYER: SocketLayer | RawSocketLayer = RAW ? rawSocketLayer(openLibc()) : nodeSocketLayer();

type Ran = { record: SessionRecord; checks: Record<string, CheckCount>; ms: number };

async function runOne(to: Target, send?: Uint8Array): Promise<Ran> {
  takeChecks();
  const started = performance.now();
  const record = await runScriptedSession(LAYER, halfCloseReply, { to, index: 0 }, {
    connectTimeoutMs: 1000,
    closeTimeoutMs: 300,
    params: send ? { holdMs: 0, send } : { holdMs: 0 },
  });
  if ("reactor" in LAYER) await LAYER.reactor.stopped();
  const checks = Object.fromEntries(takeChecks().map((c) => [c.name, c]));
  return { record, checks, ms: performance.now() - started };
}

Deno.test("half-close-reply: an echo server's reply comes in full after our FIN, then its FIN", async () => {
  await using server = await startReferenceServer("well-behaved");
  const ran = await runOne(server.target);
  assert.equal(ran.record.outcome, "clean", ran.record.scriptError);
  assert.equal(ran.record.bytesReceived, DEFAULT_REQUEST.byteLength);
  assert.ok(ran.record.closeUs !== undefined, "the server's FIN after ours is timed");
  assert.deepEqual(ran.checks.replied, { name: "replied", passes: 1, fails: 0 });
  assert.deepEqual(ran.checks.complete, { name: "complete", passes: 1, fails: 0 });
  assert.deepEqual(ran.checks.echo, { name: "echo", passes: 1, fails: 0 });
  // 64 KiB: more than one read's worth comes back, compared byte by byte.
  const big = new Uint8Array(64 * 1024).map((_, i) => i % 251);
  const large = await runOne(server.target, big);
  assert.equal(large.record.outcome, "clean");
  assert.equal(large.record.bytesReceived, big.byteLength);
  assert.equal(large.checks.echo.passes, 1);
});

Deno.test("half-close-reply: a server that keeps its end open is no-fin within the close timeout", async () => {
  await using server = await startReferenceServer("leaky");
  const ran = await runOne(server.target);
  assert.equal(ran.record.outcome, "no-fin");
  assert.equal(ran.checks.replied.passes, 1, "the echo came before the timeout");
  assert.deepEqual(ran.checks.complete, { name: "complete", passes: 0, fails: 1 });
  assert.equal(ran.checks.echo, undefined, "no FIN: nothing to compare the reply with");
  assert.ok(ran.ms < 1000, `one close timeout (300ms), not two: ${ran.ms}ms`);
});

Deno.test("half-close-reply: an RST in answer to our FIN is the outcome, after the reply", async () => {
  await using server = await startReferenceServer("reset");
  const ran = await runOne(server.target);
  assert.equal(ran.record.outcome, "reset");
  assert.match(ran.record.errno ?? "", /^(ECONNRESET|EPIPE)$/);
  assert.equal(ran.checks.replied.passes + ran.checks.replied.fails, 1);
  assert.deepEqual(ran.checks.complete, { name: "complete", passes: 0, fails: 1 });
  assert.equal(ran.checks.echo, undefined);
});

Deno.test("half-close-reply: a server that sends nothing fails replied, and echo", async () => {
  await using server = await startReferenceServer("closes-first");
  const ran = await runOne(server.target);
  // It closes at accept, on this event loop: its FIN comes before ours or
  // just after; our request may meet its RST (its socket is gone).
  assert.match(ran.record.outcome, /^(server-closed-first|clean|reset)$/);
  assert.deepEqual(ran.checks.replied, { name: "replied", passes: 0, fails: 1 });
  if (ran.record.outcome !== "reset") {
    assert.equal(ran.checks.complete.passes, 1);
    assert.equal(ran.checks.echo.fails, 1);
  }
});
