/**
 * Tests for lib/engine/raw/raw_scenario_socket.ts: scripted sessions on the
 * raw engine's libc sockets against real servers on loopback, classified by
 * the same code as on the `deno` engine (runScriptedSession).
 *
 * @module
 */

import assert from "node:assert/strict";
import { type Libc, openLibc, rawEngineUnavailable } from "../../../lib/engine/raw/libc.ts";
import {
  type RawSocketLayer,
  rawSocketLayer,
  type RawSocketLayerOptions,
} from "../../../lib/engine/raw/raw_scenario_socket.ts";
import { runScriptedSession } from "../../../lib/engine/scripted/run_scripted.ts";
import type { ScriptedSessionPlan } from "../../../lib/engine/scripted/scripted_session.ts";
import type { Scenario } from "../../../lib/engine/scripted/session_api.ts";
import type { SessionRecord } from "../../../lib/engine/session.ts";
import {
  listenBelowEphemeral,
  type ReferenceServerKind,
  type ReferenceServerOptions,
  startReferenceServer,
} from "../../../lib/testing/reference_servers.ts";

const RAW = rawEngineUnavailable() === undefined;
const QUICK = { connectTimeoutMs: 2000, closeTimeoutMs: 500 };
const HAS_IPV6 = (() => {
  try {
    Deno.listen({ hostname: "::1", port: 0 }).close();
    return true;
  } catch {
    return false;
  }
})();

/** Runs `body` with a fresh layer; afterwards the reactor must have stopped, every fd closed. */
async function withLayer<T>(
  body: (layer: RawSocketLayer) => Promise<T>,
  options: RawSocketLayerOptions = {},
): Promise<T> {
  const libc: Libc = openLibc();
  const layer = rawSocketLayer(libc, options);
  try {
    return await body(layer);
  } finally {
    await layer.stopped();
    assert.equal(layer.reactor.sockets, 0, "every socket removed");
    libc.close();
  }
}

function run(
  layer: RawSocketLayer,
  scenario: Scenario,
  plan: Omit<ScriptedSessionPlan, "index">,
  options = QUICK,
): Promise<SessionRecord> {
  return runScriptedSession(layer, scenario, { index: 0, ...plan }, options);
}

function destinationOf(listener: Deno.TcpListener) {
  return { hostname: "127.0.0.1", port: listener.addr.port };
}

/** One session against a reference server, by its address or by `hostname`. */
async function against(
  kind: ReferenceServerKind,
  scenario: Scenario,
  options: ReferenceServerOptions = {},
  { hostname, signal }: { hostname?: string; signal?: AbortSignal } = {},
): Promise<SessionRecord> {
  await using server = await startReferenceServer(kind, options);
  const to = { hostname: hostname ?? server.target.hostname, port: server.target.port };
  return await withLayer((layer) => run(layer, scenario, { to, signal }));
}

const pingThenClose: Scenario = async (session) => {
  await session.connect();
  await session.write("PING\r\n");
  session.check("echo", (await session.readUntil("\r\n")) === "PING\r\n");
  await session.closeWrite();
  await session.expectEof();
};

Deno.test({
  name: "raw scripted: a well-behaved echo is clean, every phase timed, TCP_INFO kept",
  ignore: !RAW,
  fn: async () => {
    const record = await against("well-behaved", pingThenClose);
    assert.equal(record.outcome, "clean", JSON.stringify(record));
    assert.equal(record.bytesReceived, 6);
    for (const phase of ["handshakeUs", "firstByteUs", "closeUs"] as const) {
      assert.ok(record[phase]! > 0, `${phase} timed`);
    }
    assert.ok(record.localPort! > 0);
    assert.equal(record.kernel?.synRetransmits, 0);
    assert.equal(record.kernel?.stateBeforeFin, "ESTABLISHED");
  },
});

Deno.test({
  name: "raw scripted: a layer told not to ask local ports gives 0 and records none",
  ignore: !RAW,
  fn: async () => {
    await using server = await startReferenceServer("well-behaved");
    const record = await withLayer(async (layer) => {
      const socket = layer.open();
      assert.equal(await socket.connect(server.target, 1000), 0);
      socket.close();
      return await run(layer, pingThenClose, { to: server.target });
    }, { localPorts: false });
    assert.equal(record.outcome, "clean", JSON.stringify(record));
    assert.equal(record.localPort, undefined);
    assert.equal(record.kernel?.synRetransmits, 0, "the kernel evidence is still read");
  },
});

Deno.test({
  name: "raw scripted: a write after our own FIN fails with EPIPE at once",
  ignore: !RAW,
  fn: async () => {
    await using server = await startReferenceServer("leaky");
    await withLayer(async (layer) => {
      const socket = layer.open();
      await socket.connect(server.target, 1000);
      await socket.closeWrite();
      // A live socket (FIN_WAIT2): errno is believed here, not taken for a
      // would-block (which waited for writable until the run's stop).
      const write = socket.write(new Uint8Array([1])).then(() => "written", (e) => e.errno);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const hung = new Promise<string>((resolve) =>
        timer = setTimeout(() => resolve("hung"), 2000)
      );
      const outcome = await Promise.race([write, hung]);
      clearTimeout(timer);
      socket.close();
      await write;
      assert.equal(outcome, "EPIPE");
    });
  },
});

Deno.test({
  name: "raw scripted: a leaky server's missing FIN is no-fin, our FIN acknowledged",
  ignore: !RAW,
  fn: async () => {
    const record = await against("leaky", pingThenClose);
    assert.equal(record.outcome, "no-fin");
    assert.equal(record.kernel?.finAcked, true, "FIN_WAIT2: the server's kernel acked our FIN");
  },
});

Deno.test({
  name: "raw scripted: a server's FIN queued unread before ours is seen by TCP_INFO",
  ignore: !RAW,
  fn: async () => {
    // No read returns 0 here: only the kernel's CLOSE_WAIT can tell.
    using listener = listenBelowEphemeral();
    const served = listener.accept().then((conn) => conn.close());
    const record = await withLayer((layer) =>
      run(layer, async (session) => {
        await session.connect();
        await served; // the server's FIN is on its way (loopback: already queued)
        await session.closeWrite();
        assert.equal(session.serverFin, true);
      }, { to: destinationOf(listener) })
    );
    assert.equal(record.outcome, "server-closed-first");
    assert.equal(record.kernel?.stateBeforeFin, "CLOSE_WAIT");
  },
});

Deno.test({
  name: "raw scripted: the closes-first reference server is server-closed-first",
  ignore: !RAW,
  fn: async () => {
    const record = await against("closes-first", async (session) => {
      await session.connect();
      await session.sleep("50ms");
      await session.closeWrite();
      await session.expectEof();
    });
    assert.equal(record.outcome, "server-closed-first");
  },
});

Deno.test({
  name: "raw scripted: an RST answering our FIN, or at accept, is a reset",
  ignore: !RAW,
  fn: async () => {
    const answered = await against("reset", pingThenClose);
    assert.equal(answered.outcome, "reset");
    assert.equal(answered.errno, "ECONNRESET");
    assert.equal(answered.phase, "close");
    const atAccept = await against("resets-at-accept", async (session) => {
      await session.connect();
      await session.sleep("50ms");
      await session.read();
    });
    assert.equal(atAccept.outcome, "reset");
    assert.ok(atAccept.handshakeUs! > 0, "the handshake was done before the RST");
  },
});

Deno.test({
  name: "raw scripted: a port with no listener is refused",
  ignore: !RAW,
  fn: async () => {
    const listener = listenBelowEphemeral();
    const to = destinationOf(listener);
    listener.close();
    const record = await withLayer((layer) => run(layer, pingThenClose, { to }));
    assert.equal(record.outcome, "refused");
    assert.equal(record.errno, "ECONNREFUSED");
    assert.equal(record.handshakeUs, undefined);
  },
});

Deno.test({
  name: "raw scripted: a handshake not done in time is connect-timeout",
  ignore: !RAW,
  fn: async () => {
    // A full accept queue drops SYNs: later connects sit in SYN_SENT.
    await using server = await startReferenceServer("never-accepts", { backlog: 2 });
    const records = await withLayer((layer) =>
      Promise.all(Array.from({ length: 8 }, () =>
        run(
          layer,
          async (session) => {
            await session.connect();
            await session.sleep("300ms"); // holds its place in the queue
          },
          { to: server.target },
          { connectTimeoutMs: 150, closeTimeoutMs: 100 },
        )))
    );
    const timedOut = records.filter((r) => r.outcome === "connect-timeout");
    assert.ok(timedOut.length >= 4, records.map((r) => r.outcome).join());
    assert.ok(timedOut.every((r) => r.errno === "ETIMEDOUT" && r.handshakeUs === undefined));
  },
});

Deno.test({
  name: "raw scripted: 4 MB written and read back at once through a real echo",
  ignore: !RAW,
  fn: async () => {
    // More than both socket buffers hold: send meets EAGAIN and waits for
    // EPOLLOUT while the same socket's read waits for EPOLLIN.
    const bytes = new Uint8Array(4 * 1024 * 1024).map((_, i) => i % 251);
    const record = await against("well-behaved", async (session) => {
      await session.connect();
      const [, echoed] = await Promise.all([session.write(bytes), session.readBytes(bytes.length)]);
      assert.deepEqual(echoed, bytes);
      await session.closeWrite();
      assert.equal(await session.expectEof(), true);
    });
    assert.equal(record.outcome, "clean", JSON.stringify(record));
    assert.equal(record.bytesReceived, bytes.length);
  },
});

Deno.test({
  name: "raw scripted: a read that gets nothing in time fails with ETIMEDOUT",
  ignore: !RAW,
  fn: async () => {
    let waited = 0;
    const record = await against("leaky", async (session) => {
      await session.connect();
      const start = performance.now();
      try {
        await session.read({ timeout: "100ms" });
      } finally {
        waited = performance.now() - start;
      }
    });
    assert.equal(record.outcome, "error");
    assert.equal(record.errno, "ETIMEDOUT");
    assert.ok(waited >= 99 && waited < 1000, `waited ${waited} ms`);
  },
});

Deno.test({
  name: "raw scripted: abort() sends an RST the server reads as ECONNRESET",
  ignore: !RAW,
  fn: async () => {
    using listener = listenBelowEphemeral();
    // The RST must come after the accept: one that beats it fails the accept (ENOTCONN).
    const accepted = listener.accept();
    const seen = accepted.then(async (conn) => {
      try {
        await conn.read(new Uint8Array(16));
        return "no error";
      } catch (error) {
        return (error as Error).name;
      } finally {
        conn.close();
      }
    });
    const record = await withLayer((layer) =>
      run(layer, async (session) => {
        await session.connect();
        await accepted;
        await session.abort();
      }, { to: destinationOf(listener) })
    );
    assert.equal(record.outcome, "aborted");
    assert.equal(await seen, "ConnectionReset");
  },
});

Deno.test({
  name: "raw scripted: 200 sessions in flight in one layer are all clean",
  ignore: !RAW,
  fn: async () => {
    await using server = await startReferenceServer("well-behaved");
    const records = await withLayer((layer) =>
      Promise.all(
        Array.from({ length: 200 }, (_, index) =>
          runScriptedSession(layer, pingThenClose, { to: server.target, index }, {
            connectTimeoutMs: 5000,
            closeTimeoutMs: 5000,
          })),
      )
    );
    assert.deepEqual(records.filter((r) => r.outcome !== "clean"), []);
    assert.equal(new Set(records.map((r) => r.localPort)).size, 200);
  },
});

Deno.test({
  name: "raw scripted: IPv6 loopback works",
  ignore: !RAW || !HAS_IPV6,
  fn: async () => {
    const record = await against("well-behaved", pingThenClose, { hostname: "::1" });
    assert.equal(record.outcome, "clean");
  },
});

Deno.test({
  name: "raw scripted: a host name is resolved (localhost, from /etc/hosts)",
  ignore: !RAW,
  fn: async () => {
    const record = await against("well-behaved", pingThenClose, {}, { hostname: "localhost" });
    assert.equal(record.outcome, "clean");
  },
});

Deno.test({
  name: "raw scripted: a stop during a read ends the session as interrupted",
  ignore: !RAW,
  fn: async () => {
    const signal = AbortSignal.timeout(50);
    const start = performance.now();
    const readLong: Scenario = async (session) => {
      await session.connect();
      await session.read({ timeout: "5s" });
    };
    const record = await against("leaky", readLong, {}, { signal });
    assert.equal(record.outcome, "interrupted");
    assert.ok(performance.now() - start < 2000, "the read did not wait for its timeout");
  },
});

Deno.test({
  name: "raw scripted: out of file descriptors (EMFILE) is a tester limit",
  ignore: !RAW,
  fn: async () => {
    // In a child with a low fd cap (Deno raises its soft limit to the hard
    // one, so cap both), holding every fd left, then one session.
    const lib = (path: string) => new URL(`../../../lib/${path}`, import.meta.url).href;
    const code = `
      import { LINUX, openLibc } from "${lib("engine/raw/libc.ts")}";
      import { rawSocketLayer } from "${lib("engine/raw/raw_scenario_socket.ts")}";
      import { runScriptedSession } from "${lib("engine/scripted/run_scripted.ts")}";
      const libc = openLibc();
      const held = [];
      for (let fd; (fd = libc.symbols.socket(LINUX.AF_INET, LINUX.SOCK_STREAM, 0)) >= 0;) held.push(fd);
      const layer = rawSocketLayer(libc);
      const record = await runScriptedSession(layer, (s) => s.connect(),
        { to: { hostname: "127.0.0.1", port: 1 }, index: 0 },
        { connectTimeoutMs: 1000, closeTimeoutMs: 1000 });
      for (const fd of held) libc.symbols.close(fd);
      await layer.stopped();
      console.log(JSON.stringify(record));`;
    const output = await new Deno.Command("sh", {
      args: ["-c", 'ulimit -n 64 && exec "$0" eval -q "$1"', Deno.execPath(), code],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(output.stderr);
    assert.equal(output.code, 0, stderr);
    const record = JSON.parse(new TextDecoder().decode(output.stdout));
    assert.equal(record.outcome, "tester-limit");
    assert.equal(record.errno, "EMFILE");
    assert.deepEqual(record.errors, [{
      phase: "handshake",
      operation: "connect",
      errno: "EMFILE",
    }]);
  },
});
