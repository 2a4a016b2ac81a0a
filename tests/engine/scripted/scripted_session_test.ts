/**
 * How a scripted session decides its outcome, on the socket layer of the
 * engine SYNFIN_ENGINE names (the suite runs once per engine): the same
 * rules as built-in sessions, against real servers.
 */
import assert from "node:assert/strict";
import { runScriptedSession } from "../../../lib/engine/scripted/run_scripted.ts";
import type { Scenario } from "../../../lib/engine/scripted/session_api.ts";
import { SocketFailure, type SocketLayer } from "../../../lib/engine/scripted/socket.ts";
import { nodeSocketLayer } from "../../../lib/engine/scripted/node_socket.ts";
import { chooseEngine } from "../../../lib/engine/engine_choice.ts";
import type { Destination } from "../../../lib/base/target.ts";
import {
  type ReferenceServerKind,
  startReferenceServer,
} from "../../../lib/testing/reference_servers.ts";
import { listenOnRandomPort } from "../../support/loopback.ts";

async function layerOfEngine(): Promise<SocketLayer> {
  if (chooseEngine().engine !== "raw") return nodeSocketLayer();
  const { openLibc } = await import("../../../lib/engine/raw/libc.ts");
  const { rawSocketLayer } = await import("../../../lib/engine/raw/raw_scenario_socket.ts");
  return rawSocketLayer(openLibc());
}
const layer = await layerOfEngine();
const TIMEOUTS = { connectTimeoutMs: 1000, closeTimeoutMs: 300 };

async function run(scenario: Scenario, to: Destination, signal?: AbortSignal) {
  const record = await runScriptedSession(layer, scenario, { to, index: 0, signal }, TIMEOUTS);
  // The raw layer's loop may be parked in a thread-pool epoll_wait: let it
  // end before the test does (Deno's sanitizer counts the pending FFI call).
  if ("reactor" in layer) {
    await (layer as { reactor: { stopped(): Promise<void> } }).reactor.stopped();
  }
  return record;
}

async function against(kind: ReferenceServerKind, scenario: Scenario) {
  await using server = await startReferenceServer(kind);
  return await run(scenario, server.target);
}

const halfClose: Scenario = async (session) => {
  await session.connect();
  await session.closeWrite();
  await session.expectEof();
};

Deno.test("our FIN answered by the server's: clean, with handshake and close timed", async () => {
  const record = await against("well-behaved", halfClose);
  assert.equal(record.outcome, "clean");
  assert.ok(record.handshakeUs! > 0 && record.closeUs! > 0);
  assert.ok(record.localPort! > 0);
});

Deno.test("our FIN never answered: no-fin after the close timeout", async () => {
  const record = await against("leaky", halfClose);
  assert.equal(record.outcome, "no-fin");
  assert.equal(record.phase, "close");
  assert.equal(record.closeUs, undefined);
});

Deno.test("the server's FIN first, read as null: server-closed-first", async () => {
  let sawFin = false;
  const record = await against("closes-first", async (session) => {
    await session.connect();
    sawFin = (await session.read()) === null && session.serverFin;
  });
  assert.equal(sawFin, true);
  assert.equal(record.outcome, "server-closed-first");
});

Deno.test("the server's FIN queued but unread before ours: still server-closed-first", async () => {
  const record = await against("closes-first", async (session) => {
    await session.connect();
    await session.sleep("100ms");
    await session.closeWrite();
    await session.expectEof();
  });
  assert.equal(record.outcome, "server-closed-first");
});

Deno.test("bytes queued before the server's FIN still read after closeWrite(): server-closed-first", async () => {
  const listener = listenOnRandomPort();
  const served = listener.accept().then(async (conn) => {
    await conn.write(new TextEncoder().encode("220 hello\r\n"));
    conn.close();
  });
  const reads: (string | null)[] = [];
  const record = await run(async (session) => {
    await session.connect();
    await session.sleep("50ms"); // the banner and the FIN are queued, unread
    await session.closeWrite(); // learns of the FIN from the socket, not from a read
    for (let chunk; (chunk = await session.read()) !== null;) {
      reads.push(new TextDecoder().decode(chunk));
    }
    reads.push(null);
  }, { hostname: "127.0.0.1", port: (listener.addr as Deno.NetAddr).port });
  await served;
  listener.close();
  assert.deepEqual(reads, ["220 hello\r\n", null]);
  assert.equal(record.bytesReceived, 11);
  assert.equal(record.outcome, "server-closed-first");
});

Deno.test("a FIN then an RST before our FIN: server-closed-first, as the built-in loop says", async () => {
  // closes-first closes at accept: its FIN, then an RST for our unread "hi",
  // both before our FIN whether or not a read saw the FIN in between.
  for (const readFirst of [false, true]) {
    let eof = false;
    const record = await against("closes-first", async (session) => {
      await session.connect();
      await session.write("hi");
      await session.sleep("50ms");
      if (readFirst) eof = (await session.read()) === null;
      await session.closeWrite();
      eof = (await session.read()) === null && (eof || !readFirst);
    });
    assert.equal(record.outcome, "server-closed-first", `${readFirst}: ${JSON.stringify(record)}`);
    assert.deepEqual(record.errors, []);
    assert.equal(eof, true);
  }
});

Deno.test("an RST in answer to our FIN: reset", async () => {
  const record = await against("reset", async (session) => {
    await session.connect();
    await session.write("x");
    await session.readBytes(1);
    await session.closeWrite();
    await session.expectEof();
  });
  assert.equal(record.outcome, "reset");
  assert.ok(record.errors.some((e) => e.errno === "ECONNRESET"), JSON.stringify(record.errors));
});

Deno.test("a refused connect: refused, and connect() rejects with ECONNREFUSED", async () => {
  const listener = listenOnRandomPort();
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  let errno = "";
  const record = await run(async (session) => {
    try {
      await session.connect();
    } catch (error) {
      errno = (error as SocketFailure).errno;
      throw error;
    }
  }, { hostname: "127.0.0.1", port });
  assert.equal(errno, "ECONNREFUSED");
  assert.equal(record.outcome, "refused");
});

Deno.test("readUntil and readBytes split an echo at the marker, keeping the rest", async () => {
  let line = "";
  let rest = "";
  const record = await against("well-behaved", async (session) => {
    await session.connect();
    await session.write("abc\ndef");
    line = await session.readUntil("\n");
    rest = new TextDecoder().decode(await session.readBytes(3));
  });
  assert.equal(line, "abc\n");
  assert.equal(rest, "def");
  // Left open: closed the default way, our FIN then the server's.
  assert.equal(record.outcome, "clean");
  assert.equal(record.bytesReceived, 7);
  assert.ok(record.firstByteUs! > 0);
});

Deno.test("a read with nothing to read times out: error ETIMEDOUT unless caught", async () => {
  const record = await against("well-behaved", async (session) => {
    await session.connect();
    await session.read({ timeout: "50ms" });
  });
  assert.equal(record.outcome, "error");
  assert.equal(record.errno, "ETIMEDOUT");
  const caught = await against("well-behaved", async (session) => {
    await session.connect();
    await session.read({ timeout: "50ms" }).catch(() => null);
  });
  assert.equal(caught.outcome, "clean");
});

Deno.test("a throw ends the session as error with its message; the socket is closed", async () => {
  const record = await against("well-behaved", async (session) => {
    await session.connect();
    throw new TypeError("bad reply");
  });
  assert.equal(record.outcome, "error");
  assert.equal(record.scriptError, "TypeError: bad reply");
  const early = await against("well-behaved", (session) => session.mark("x"));
  assert.equal(early.scriptError, 'Error: mark("x") before connect()');
  const never = await against("well-behaved", () => {});
  assert.equal(never.scriptError, "the scenario returned without connecting");
});

Deno.test("abort() sends an RST: outcome aborted, the server sees a reset", async () => {
  const listener = listenOnRandomPort();
  const port = (listener.addr as Deno.NetAddr).port;
  const served = (async () => {
    // An RST that lands before accept() fails the accept itself (ENOTCONN
    // from getpeername: seen on the raw engine, which aborts within microseconds).
    const conn = await listener.accept().catch((e) => e as Error);
    if (conn instanceof Error) return conn.name === "NotConnected" ? "ConnectionReset" : conn.name;
    try {
      return await conn.read(new Uint8Array(16)).then(() => "no reset", (e) => e.name);
    } finally {
      conn.close();
    }
  })();
  const record = await run(async (session) => {
    await session.connect();
    await session.abort();
  }, { hostname: "127.0.0.1", port });
  assert.equal(record.outcome, "aborted");
  assert.equal(await served, "ConnectionReset");
  listener.close();
});

Deno.test("time() and mark() record microseconds under their series", async () => {
  const record = await against("well-behaved", async (session) => {
    await session.connect();
    await session.time("nap", () => session.sleep("20ms"), { kind: "short" });
    session.mark("ready");
  });
  const marks = Object.fromEntries(record.marks!.map((m) => [m.key, m.us]));
  assert.ok(marks["nap{kind:short}"] >= 19_000, JSON.stringify(marks));
  assert.ok(marks.ready >= marks["nap{kind:short}"]);
});

Deno.test("a stop during a read: interrupted, at once", async () => {
  const stop = new AbortController();
  await using server = await startReferenceServer("well-behaved");
  setTimeout(() => stop.abort(), 50);
  const started = performance.now();
  const record = await run(
    async (session) => {
      await session.connect();
      await session.read({ timeout: "10s" });
    },
    server.target,
    stop.signal,
  );
  assert.equal(record.outcome, "interrupted");
  assert.ok(performance.now() - started < 2000);
});
