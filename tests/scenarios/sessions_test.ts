/**
 * The built-in session scenarios (scenarios/sessions/), each run as one
 * session against real servers: the reference servers in this process, a
 * real redis-server and nginx spawned by the test. Each passes against a
 * server that does what it expects and says so when one does not.
 *
 * The reference servers share this event loop with the session, which can
 * blur a race between two FINs: a server that closes at accept is only used
 * where the scenario waits for its FIN.
 */
import assert from "node:assert/strict";
import { type CheckCount, takeChecks } from "../../lib/engine/scripted/checks.ts";
import { nodeSocketLayer } from "../../lib/engine/scripted/node_socket.ts";
import { runScriptedSession } from "../../lib/engine/scripted/run_scripted.ts";
import { loadScenario } from "../../lib/engine/scripted/scenario_module.ts";
import type { Scenario, SessionParams } from "../../lib/engine/scripted/session_api.ts";
import type { SocketLayer } from "../../lib/engine/scripted/socket.ts";
import { openLibc } from "../../lib/engine/raw/libc.ts";
import { type RawSocketLayer, rawSocketLayer } from "../../lib/engine/raw/raw_scenario_socket.ts";
import type { SessionRecord } from "../../lib/engine/session.ts";
import type { Target } from "../../lib/base/target.ts";
import { parseKnownThreshold } from "../../lib/suite/threshold.ts";
import { listenBelowEphemeral, startReferenceServer } from "../../lib/testing/reference_servers.ts";
import { portIsQuiet, targetOf } from "../../lib/testing/ports.ts";
import abort from "../../scenarios/sessions/abort.ts";
import halfClose from "../../scenarios/sessions/half_close.ts";
import hold from "../../scenarios/sessions/hold.ts";
import http10 from "../../scenarios/sessions/http10.ts";
import lineEcho from "../../scenarios/sessions/line_echo.ts";
import redisPing from "../../scenarios/sessions/redis_ping.ts";
import serverClosesFirst from "../../scenarios/sessions/server_closes_first.ts";
import slowWriter from "../../scenarios/sessions/slow_writer.ts";
import {
  BUILTIN_SESSION_SCENARIOS,
  builtinScenarioUrl,
} from "../../scenarios/sessions/registry.ts";
import { NGINX, PEERS_REQUIRED, startNginx } from "../support/nginx.ts";
import { waitForListener } from "../support/loopback.ts";

const encoder = new TextEncoder();

const RAW = Deno.env.get("SYNFIN_ENGINE") === "raw";
/** The engine's socket layer, one for the file (the raw one's libc stays open until exit). */
const LAYER: SocketLayer | RawSocketLayer = RAW ? rawSocketLayer(openLibc()) : nodeSocketLayer();

type Ran = { record: SessionRecord; checks: CheckCount[]; ms: number };

/** Runs `scenario` as one session to `to`, with short timeouts. */
async function runOne(
  scenario: Scenario,
  to: Target,
  options: { closeTimeoutMs?: number; params?: Pick<SessionParams, "holdMs" | "send"> } = {},
): Promise<Ran> {
  takeChecks();
  const started = performance.now();
  const record = await runScriptedSession(LAYER, scenario, { to, index: 7 }, {
    connectTimeoutMs: 1000,
    closeTimeoutMs: options.closeTimeoutMs ?? 300,
    params: options.params ?? { holdMs: 0 },
  });
  // The raw layer's reactor loop ends with its last socket: let it, for the op sanitizer.
  if ("reactor" in LAYER) await LAYER.reactor.stopped();
  return { record, checks: takeChecks(), ms: performance.now() - started };
}

/** Passes and fails of the check `name` (0/0 when it was never recorded). */
function tally(ran: Ran, name: string): { passes: number; fails: number } {
  const found = ran.checks.find((c) => c.name === name);
  return { passes: found?.passes ?? 0, fails: found?.fails ?? 0 };
}

const marksOf = (record: SessionRecord) => (record.marks ?? []).map((m) => m.key);

Deno.test("registry: every built-in loads, imports only the scenario API, and its thresholds parse", async () => {
  assert.deepEqual(Object.keys(BUILTIN_SESSION_SCENARIOS), [
    "half-close",
    "half-close-reply",
    "server-closes-first",
    "http10",
    "line-echo",
    "redis-ping",
    "hold",
    "abort",
    "slow-writer",
    "exchanges",
  ]);
  assert.equal(builtinScenarioUrl("nope"), undefined);
  assert.equal(builtinScenarioUrl("toString"), undefined);
  for (const [name, { url, description }] of Object.entries(BUILTIN_SESSION_SCENARIOS)) {
    assert.equal(builtinScenarioUrl(name), url);
    assert.ok(description.length > 0 && !description.includes("\n"), name);
    const scenario = await loadScenario(url);
    for (const threshold of scenario.options?.thresholds ?? []) parseKnownThreshold(threshold);
    const source = await Deno.readTextFile(new URL(url));
    const code = source.replace(/\/\*[\s\S]*?\*\//g, "");
    for (const [, from] of code.matchAll(/\bfrom\s+"([^"]+)"/g)) {
      assert.ok(from.startsWith("../../lib/engine/scripted/"), `${name} imports ${from}`);
    }
  }
});

Deno.test("engine: SYNFIN_ENGINE picks the session's socket layer", async () => {
  await using server = await startReferenceServer("well-behaved");
  const ran = await runOne(halfClose, server.target);
  assert.equal("reactor" in LAYER, RAW);
  // Only the raw engine reads TCP_INFO for the session.
  assert.equal(ran.record.kernel !== undefined, RAW);
});

Deno.test("half-close: clean against a well-behaved server, with --send and --hold", async () => {
  await using server = await startReferenceServer("well-behaved");
  const plain = await runOne(halfClose, server.target, { closeTimeoutMs: 1000 });
  assert.equal(plain.record.outcome, "clean");
  assert.ok(plain.record.closeUs !== undefined);
  assert.ok(plain.ms < 500, `our FIN went at once and was answered: ${plain.ms}ms`);
  const full = await runOne(halfClose, server.target, {
    params: { holdMs: 120, send: encoder.encode("hello\n") },
  });
  assert.equal(full.record.outcome, "clean", full.record.scriptError);
  assert.ok(full.record.firstByteUs !== undefined, "the echo timed the first byte");
  assert.equal(full.record.bytesReceived, 6);
  assert.ok(full.ms >= 120, `held ${full.ms}ms`);
});

Deno.test("half-close: no-fin against a leaky server, reset against a resetting one", async () => {
  await using leaky = await startReferenceServer("leaky");
  assert.equal((await runOne(halfClose, leaky.target)).record.outcome, "no-fin");
  await using reset = await startReferenceServer("reset");
  const ran = await runOne(halfClose, reset.target, {
    params: { holdMs: 0, send: encoder.encode("x") },
  });
  assert.equal(ran.record.outcome, "reset");
  assert.match(ran.record.errno ?? "", /^(ECONNRESET|EPIPE)$/);
});

Deno.test("half-close: a server that closes during --hold ends the dwell as server-closed-first", async () => {
  await using server = await startReferenceServer("idle-timeout", { idleTimeoutMs: 50 });
  const ran = await runOne(halfClose, server.target, { params: { holdMs: 2000 } });
  assert.equal(ran.record.outcome, "server-closed-first");
  assert.ok(ran.ms < 1000, `the dwell ended early: ${ran.ms}ms`);
});

Deno.test("server-closes-first: passes when the server closes, fails its check when it never does", async () => {
  await using closer = await startReferenceServer("closes-first");
  const closed = await runOne(serverClosesFirst, closer.target);
  assert.equal(closed.record.outcome, "server-closed-first");
  assert.deepEqual(tally(closed, "server-closed-first"), { passes: 1, fails: 0 });

  await using echo = await startReferenceServer("well-behaved");
  const open = await runOne(serverClosesFirst, echo.target, { closeTimeoutMs: 100 });
  assert.deepEqual(tally(open, "server-closed-first"), { passes: 0, fails: 1 });
  assert.equal(open.record.outcome, "clean", "then closed the default way: our FIN, its FIN");

  await using leaky = await startReferenceServer("leaky");
  const leaked = await runOne(serverClosesFirst, leaky.target, {
    closeTimeoutMs: 100,
    params: { holdMs: 250, send: encoder.encode("x") },
  });
  assert.deepEqual(tally(leaked, "server-closed-first"), { passes: 0, fails: 1 });
  assert.equal(leaked.record.outcome, "no-fin");
  assert.ok(leaked.ms >= 250, `waited --hold, longer than the close timeout: ${leaked.ms}ms`);
});

Deno.test("line-echo: the line comes back from an echo server", async () => {
  await using server = await startReferenceServer("well-behaved");
  const ran = await runOne(lineEcho, server.target);
  assert.equal(ran.record.outcome, "clean");
  assert.deepEqual(tally(ran, "echo"), { passes: 1, fails: 0 });
  assert.equal(ran.record.bytesReceived, "synfin line-echo 7\n".length);
  const given = await runOne(lineEcho, server.target, {
    params: { holdMs: 0, send: encoder.encode("hi") },
  });
  assert.equal(given.record.bytesReceived, 3, "--send, with the newline added");
});

Deno.test("line-echo: a wrong answer fails the check, a reset on our FIN is the outcome", async () => {
  // Another session's line: same length, other bytes.
  await using wrong = answeringServer("synfin line-echo 8\n");
  const ran = await runOne(lineEcho, wrong.target);
  assert.deepEqual(tally(ran, "echo"), { passes: 0, fails: 1 });
  assert.equal(ran.record.outcome, "clean");
  await using reset = await startReferenceServer("reset");
  const reset_ = await runOne(lineEcho, reset.target);
  assert.deepEqual(tally(reset_, "echo"), { passes: 1, fails: 0 });
  assert.equal(reset_.record.outcome, "reset");
});

Deno.test("http10: an echo server is not HTTP: the status check fails", async () => {
  await using server = await startReferenceServer("well-behaved");
  const ran = await runOne(http10, server.target, { closeTimeoutMs: 100 });
  assert.deepEqual(tally(ran, "status-2xx-3xx"), { passes: 0, fails: 1 });
  // It did not close after its "response": the session closed the default way.
  assert.equal(ran.record.outcome, "clean");
  assert.deepEqual(marksOf(ran.record), ["status", "response"]);
});

Deno.test({
  name: "http10: nginx answers 200 and closes first",
  ignore: !NGINX && !PEERS_REQUIRED,
  async fn() {
    assert.ok(NGINX, "nginx is required (SYNFIN_REQUIRE_PEERS=1) but not installed");
    await using nginx = await startNginx();
    const ran = await runOne(http10, targetOf("127.0.0.1", nginx.port));
    assert.equal(ran.record.outcome, "server-closed-first", ran.record.scriptError);
    assert.deepEqual(tally(ran, "status-2xx-3xx"), { passes: 1, fails: 0 });
    assert.deepEqual(marksOf(ran.record), ["status", "response"]);
    const [status, response] = ran.record.marks!;
    assert.ok(response.us >= status.us);
    assert.ok(ran.record.bytesReceived > "HTTP/1.1 200 OK\r\n".length);
    // A request nginx refuses (two Host headers): 400, the check fails, nginx still closes first.
    const bad = await runOne(http10, targetOf("127.0.0.1", nginx.port), {
      params: { holdMs: 0, send: encoder.encode("GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n") },
    });
    assert.deepEqual(tally(bad, "status-2xx-3xx"), { passes: 0, fails: 1 });
    assert.equal(bad.record.outcome, "server-closed-first", bad.record.scriptError);
  },
});

const REDIS = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"].find((path) => {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
});

Deno.test({
  name: "redis-ping: redis-server answers PONG, then closes on our FIN",
  ignore: !REDIS && !PEERS_REQUIRED,
  async fn() {
    assert.ok(REDIS, "redis-server is required (SYNFIN_REQUIRE_PEERS=1) but not installed");
    await using redis = await startRedis(REDIS);
    const ran = await runOne(redisPing, targetOf("127.0.0.1", redis.port));
    assert.equal(ran.record.outcome, "clean", ran.record.scriptError);
    assert.deepEqual(tally(ran, "pong"), { passes: 1, fails: 0 });
    assert.ok(ran.record.closeUs !== undefined);
  },
});

Deno.test("redis-ping: an echo server answers PING with PING: the check fails", async () => {
  await using server = await startReferenceServer("well-behaved");
  const ran = await runOne(redisPing, server.target);
  assert.deepEqual(tally(ran, "pong"), { passes: 0, fails: 1 });
  assert.equal(ran.record.outcome, "clean");
});

Deno.test("hold: stays --hold, then closes clean; an idle timeout shows as server-closed-first", async () => {
  await using server = await startReferenceServer("well-behaved");
  const held = await runOne(hold, server.target, { params: { holdMs: 150 } });
  assert.equal(held.record.outcome, "clean");
  assert.deepEqual(tally(held, "held"), { passes: 1, fails: 0 });
  assert.ok(held.ms >= 150, `held ${held.ms}ms`);
  await using idle = await startReferenceServer("idle-timeout", { idleTimeoutMs: 50 });
  // No --hold: the default 10 s hold, cut short by the server's 50 ms idle timeout.
  const cut = await runOne(hold, idle.target);
  assert.equal(cut.record.outcome, "server-closed-first");
  assert.deepEqual(tally(cut, "held"), { passes: 0, fails: 1 });
  assert.ok(cut.ms < 2000, `${cut.ms}ms`);
});

Deno.test("abort: ends with our RST (aborted); a refused handshake is the outcome", async () => {
  await using server = await startReferenceServer("well-behaved");
  assert.equal((await runOne(abort, server.target)).record.outcome, "aborted");
  const sent = await runOne(abort, server.target, {
    params: { holdMs: 0, send: encoder.encode("x") },
  });
  assert.equal(sent.record.outcome, "aborted");
  const listener = listenBelowEphemeral();
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const refused = await runOne(abort, targetOf("127.0.0.1", port));
  assert.equal(refused.record.outcome, "refused");
});

Deno.test("slow-writer: a server that waits for the whole line answers it", async () => {
  await using server = answeringServer("ok\n");
  const ran = await runOne(slowWriter, server.target, {
    params: { holdMs: 100, send: encoder.encode("abcd\n") },
  });
  assert.equal(ran.record.outcome, "clean", ran.record.scriptError);
  assert.deepEqual(tally(ran, "answered"), { passes: 1, fails: 0 });
  assert.ok(ran.ms >= 80, `4 gaps of 20 ms: ${ran.ms}ms`);
  // One byte per write: the server reads it in pieces (bytes written 20 ms
  // apart rarely share a read; a busy event loop may merge a few).
  assert.equal(server.reads.reduce((a, b) => a + b, 0), 5);
  assert.ok(server.reads.length > 1, `reads ${server.reads}`);
});

Deno.test("slow-writer: a server that gives up on a slow client resets it", async () => {
  await using server = await startReferenceServer("idle-timeout", { idleTimeoutMs: 30 });
  const ran = await runOne(slowWriter, server.target, {
    params: { holdMs: 500, send: encoder.encode("abcde") },
  });
  assert.equal(ran.record.outcome, "reset", ran.record.scriptError);
  assert.deepEqual(tally(ran, "answered"), { passes: 0, fails: 0 });
});

/** One connection's line server: reads to a newline (each read's size kept), answers, closes on EOF. */
function answeringServer(answer: string): { target: Target; reads: number[] } & AsyncDisposable {
  const listener = listenBelowEphemeral();
  const reads: number[] = [];
  const served = (async () => {
    const conn = await listener.accept();
    try {
      const buffer = new Uint8Array(1024);
      while (true) {
        const n = await conn.read(buffer);
        if (n === null) return;
        reads.push(n);
        if (buffer.subarray(0, n).includes(0x0a)) break;
      }
      await conn.write(encoder.encode(answer));
      while (await conn.read(buffer) !== null) { /* until our FIN */ }
    } finally {
      conn.close();
    }
  })();
  return {
    target: targetOf("127.0.0.1", (listener.addr as Deno.NetAddr).port),
    reads,
    async [Symbol.asyncDispose]() {
      listener.close();
      await served.catch(() => {});
    },
  };
}

/** redis-server on a quiet loopback port, no persistence. */
async function startRedis(binary: string): Promise<{ port: number } & AsyncDisposable> {
  const dir = await Deno.makeTempDir({ prefix: "synfin-redis-" });
  let port = 20000 + Math.floor(Math.random() * 12000);
  for (let attempt = 0; attempt < 50 && !portIsQuiet(port); attempt++) {
    port = 20000 + Math.floor(Math.random() * 12000);
  }
  const redis = new Deno.Command(binary, {
    args: ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    cwd: dir,
    stdout: "null",
    stderr: "null",
  }).spawn();
  const stop = async () => {
    try {
      redis.kill("SIGTERM");
    } catch { /* exited */ }
    await redis.status;
    await Deno.remove(dir, { recursive: true });
  };
  if (!await waitForListener(port)) {
    await stop();
    throw new Error(`redis-server did not start on port ${port}`);
  }
  return { port, [Symbol.asyncDispose]: stop };
}
