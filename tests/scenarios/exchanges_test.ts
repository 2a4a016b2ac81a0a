/**
 * The `exchanges` scenario (scenarios/sessions/exchanges.ts), one session at
 * a time on the socket layer of SYNFIN_ENGINE, against echo servers in this
 * process: the reference servers and, for a slow or silent answer, small
 * servers of this file.
 */
import assert from "node:assert/strict";
import { setTimeout as delay } from "node:timers/promises";
import { type CheckCount, takeChecks } from "../../lib/engine/scripted/checks.ts";
import { nodeSocketLayer } from "../../lib/engine/scripted/node_socket.ts";
import { runScriptedSession } from "../../lib/engine/scripted/run_scripted.ts";
import type { SessionParams } from "../../lib/engine/scripted/session_api.ts";
import type { SocketLayer } from "../../lib/engine/scripted/socket.ts";
import { openLibc } from "../../lib/engine/raw/libc.ts";
import { type RawSocketLayer, rawSocketLayer } from "../../lib/engine/raw/raw_scenario_socket.ts";
import type { SessionRecord } from "../../lib/engine/session.ts";
import type { Target } from "../../lib/base/target.ts";
import { listenBelowEphemeral, startReferenceServer } from "../../lib/testing/reference_servers.ts";
import { targetOf } from "../../lib/testing/ports.ts";
import exchanges, { DEFAULT_MESSAGE_RATE } from "../../scenarios/sessions/exchanges.ts";

const RAW = Deno.env.get("SYNFIN_ENGINE") === "raw";
const LAYER: SocketLayer | RawSocketLayer = RAW ? rawSocketLayer(openLibc()) : nodeSocketLayer();
const PING = new TextEncoder().encode("ping\n");

type Ran = { record: SessionRecord; checks: CheckCount[]; ms: number };
type Params = Pick<SessionParams, "holdMs" | "send" | "messageRate">;

async function runOne(to: Target, params: Params, closeTimeoutMs = 300): Promise<Ran> {
  takeChecks();
  const started = performance.now();
  const record = await runScriptedSession(LAYER, exchanges, { to, index: 0 }, {
    connectTimeoutMs: 1000,
    closeTimeoutMs,
    params,
  });
  if ("reactor" in LAYER) await LAYER.reactor.stopped();
  return { record, checks: takeChecks(), ms: performance.now() - started };
}

function tally(ran: Ran, name: string): { passes: number; fails: number } {
  const found = ran.checks.find((c) => c.name === name);
  return { passes: found?.passes ?? 0, fails: found?.fails ?? 0 };
}

const exchangeMarks = (record: SessionRecord) =>
  (record.marks ?? []).filter((mark) => mark.key === "exchange");

/**
 * An echo server that answers each read after `delayMs` (0: never answers),
 * and closes when it reads our FIN.
 */
function startDelayedEcho(delayMs: number): { target: Target } & AsyncDisposable {
  const listener = listenBelowEphemeral();
  const conns = new Set<Deno.TcpConn>();
  const serve = async (conn: Deno.TcpConn) => {
    conns.add(conn);
    const buffer = new Uint8Array(64 * 1024);
    try {
      while (true) {
        const n = await conn.read(buffer);
        if (n === null) break;
        if (delayMs === 0) continue;
        await delay(delayMs);
        const answer = buffer.slice(0, n);
        let offset = 0;
        while (offset < n) offset += await conn.write(answer.subarray(offset));
      }
    } catch {
      /* reset, or closed by dispose */
    } finally {
      conns.delete(conn);
      try {
        conn.close();
      } catch { /* closed */ }
    }
  };
  const handlers: Promise<void>[] = [];
  const accepting = (async () => {
    try {
      for await (const conn of listener) handlers.push(serve(conn));
    } catch { /* listener closed */ }
  })();
  return {
    target: targetOf("127.0.0.1", (listener.addr as Deno.NetAddr).port),
    async [Symbol.asyncDispose]() {
      listener.close();
      for (const conn of conns) {
        try {
          conn.close();
        } catch { /* closed */ }
      }
      await accepting;
      await Promise.all(handlers);
    },
  };
}

Deno.test("exchanges: one timed exchange per 1/R s for the hold, every one answered, then a clean close", async () => {
  await using server = await startReferenceServer("well-behaved");
  // 50/s for 300 ms: slots at 0, 20, ..., 280 ms.
  const ran = await runOne(server.target, { holdMs: 300, send: PING, messageRate: 50 });
  assert.equal(ran.record.outcome, "clean", ran.record.scriptError);
  const marks = exchangeMarks(ran.record);
  assert.equal(marks.length, 15);
  assert.deepEqual(tally(ran, "answered"), { passes: 15, fails: 0 });
  assert.deepEqual(tally(ran, "on-schedule"), { passes: 15, fails: 0 });
  assert.equal(ran.record.bytesReceived, 15 * PING.byteLength);
  assert.ok(ran.ms >= 280 && ran.ms < 1000, `the hold set the connection's life: ${ran.ms}ms`);
});

Deno.test("exchanges: without --message-rate, DEFAULT_MESSAGE_RATE per second", async () => {
  await using server = await startReferenceServer("well-behaved");
  const holdMs = 250;
  const ran = await runOne(server.target, { holdMs, send: PING });
  assert.equal(ran.record.outcome, "clean", ran.record.scriptError);
  assert.equal(exchangeMarks(ran.record).length, Math.ceil(holdMs / (1000 / DEFAULT_MESSAGE_RATE)));
});

Deno.test("exchanges: an exchange is complete when as many bytes came back as went out", async () => {
  await using server = await startReferenceServer("well-behaved");
  // Far more than one read returns (64 KiB at most): the echo comes in many chunks.
  const send = new Uint8Array(4 * 1024 * 1024).fill(0x61);
  const ran = await runOne(server.target, { holdMs: 250, send, messageRate: 4 }, 2000);
  assert.equal(ran.record.outcome, "clean", ran.record.scriptError);
  const exchanged = exchangeMarks(ran.record).length;
  assert.ok(exchanged >= 1, "at least the first exchange");
  assert.deepEqual(tally(ran, "answered"), { passes: exchanged, fails: 0 });
  assert.equal(ran.record.bytesReceived, exchanged * send.byteLength);
});

Deno.test("exchanges: slots that come due while an answer is awaited are skipped and counted", async () => {
  // Each answer takes 120 ms, the schedule wants one every 50 ms.
  await using server = startDelayedEcho(120);
  const ran = await runOne(server.target, { holdMs: 500, send: PING, messageRate: 20 }, 1000);
  assert.equal(ran.record.outcome, "clean", ran.record.scriptError);
  const sent = exchangeMarks(ran.record);
  const onSchedule = tally(ran, "on-schedule");
  assert.equal(onSchedule.passes, sent.length);
  assert.equal(onSchedule.passes + onSchedule.fails, 10, "every slot is sent or skipped");
  assert.ok(onSchedule.fails >= 4, `skipped ${onSchedule.fails}`);
  assert.ok(sent.every((mark) => mark.us >= 100_000), "each exchange timed until its answer");
  assert.deepEqual(tally(ran, "answered"), { passes: sent.length, fails: 0 });
});

Deno.test("exchanges: a server that never answers fails answered once, then the half-close", async () => {
  await using server = startDelayedEcho(0);
  const ran = await runOne(server.target, { holdMs: 2000, send: PING, messageRate: 20 }, 200);
  // It reads our FIN and closes: the TCP lifecycle itself is clean.
  assert.equal(ran.record.outcome, "clean", ran.record.scriptError);
  assert.deepEqual(tally(ran, "answered"), { passes: 0, fails: 1 });
  assert.equal(exchangeMarks(ran.record).length, 1);
  assert.ok(ran.ms < 1500, `gave up after the read timeout, not the hold: ${ran.ms}ms`);
});

Deno.test("exchanges: a server that closes between exchanges ends them (server-closed-first)", async () => {
  // It closes connections idle for 50 ms; the exchanges are 200 ms apart.
  await using server = await startReferenceServer("idle-timeout", { idleTimeoutMs: 50 });
  const ran = await runOne(server.target, { holdMs: 1000, send: PING, messageRate: 5 });
  assert.equal(ran.record.outcome, "server-closed-first", ran.record.scriptError);
  assert.deepEqual(tally(ran, "answered"), { passes: 1, fails: 0 });
  assert.ok(ran.ms < 500, `its FIN ended the wait for the next slot: ${ran.ms}ms`);
});

Deno.test("exchanges: without a payload the session is an error that says what to give", async () => {
  await using server = await startReferenceServer("well-behaved");
  const ran = await runOne(server.target, { holdMs: 100, messageRate: 20 });
  assert.equal(ran.record.outcome, "error");
  assert.match(ran.record.scriptError ?? "", /--send TEXT or --send-file FILE/);
});
