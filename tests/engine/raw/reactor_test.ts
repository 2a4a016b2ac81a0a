/**
 * Tests for lib/engine/raw/reactor.ts on real sockets: how its waits end,
 * that its loop leaves the event loop free for timers, and that it closes
 * its fds and stops once the last socket is gone.
 *
 * @module
 */

import assert from "node:assert/strict";
import { delay } from "../../../lib/base/delay.ts";
import {
  encodeSockaddr,
  type Libc,
  LINUX,
  openLibc,
  rawEngineUnavailable,
} from "../../../lib/engine/raw/libc.ts";
import { Reactor } from "../../../lib/engine/raw/reactor.ts";
import { rawSocketLayer } from "../../../lib/engine/raw/raw_scenario_socket.ts";
import { runScriptedSession } from "../../../lib/engine/scripted/run_scripted.ts";
import type { Scenario } from "../../../lib/engine/scripted/session_api.ts";
import {
  listenBelowEphemeral,
  startReferenceServer,
} from "../../../lib/testing/reference_servers.ts";

const RAW = rawEngineUnavailable() === undefined;

/** A nonblocking libc socket connected to `port` on 127.0.0.1 (the connect still in progress). */
function connecting(libc: Libc, port: number): number {
  const flags = LINUX.SOCK_STREAM | LINUX.SOCK_NONBLOCK | LINUX.SOCK_CLOEXEC;
  const fd = libc.symbols.socket(LINUX.AF_INET, flags, 0);
  const to = encodeSockaddr("127.0.0.1", port);
  libc.symbols.connect(fd, to, to.byteLength);
  return fd;
}

/** How late a 10 ms timer fires, ms past its due time. */
async function timerLateness(): Promise<number> {
  const start = performance.now();
  await new Promise((resolve) => setTimeout(resolve, 10));
  return performance.now() - start - 10;
}

Deno.test({
  name: "reactor: a wait ends ready, at its timeout, on its signal, or closed",
  ignore: !RAW,
  fn: async () => {
    const libc = openLibc();
    const reactor = new Reactor(libc);
    const listener = listenBelowEphemeral();
    const fd = connecting(libc, (listener.addr as Deno.NetAddr).port);
    const slot = reactor.add(fd);
    let server: Deno.TcpConn | undefined;
    const release = () => {
      if (reactor.sockets > 0) libc.symbols.close(fd);
      reactor.remove(slot);
    };
    try {
      assert.ok(slot >= 0 && reactor.running);
      assert.equal(await reactor.writable(slot, 1000), "ready", "the handshake completed");
      server = await listener.accept();

      let start = performance.now();
      assert.equal(await reactor.readable(slot, 30), "timeout");
      const waited = performance.now() - start;
      assert.ok(waited >= 29 && waited < 500, `timed out after ${waited} ms`);

      const stop = new AbortController();
      setTimeout(() => stop.abort(), 20);
      start = performance.now();
      assert.equal(await reactor.readable(slot, 5000, stop.signal), "aborted");
      assert.ok(performance.now() - start < 500);
      assert.equal(await reactor.readable(slot, 5000, stop.signal), "aborted", "already aborted");

      // Two waits on one side both wait for the event, and both wake at it.
      const incoming = [reactor.readable(slot, 5000), reactor.readable(slot, 5000)];
      const early = await Promise.race([...incoming, delay(30).then(() => "none")]);
      assert.equal(early, "none", "nothing came in yet");
      await server.write(new Uint8Array([1]));
      assert.deepEqual(await Promise.all(incoming), ["ready", "ready"]);

      const pending = reactor.readable(slot, 5000);
      release();
      assert.equal(await pending, "closed");
      assert.equal(await reactor.readable(slot, 10), "closed", "a removed slot waits for nothing");
    } finally {
      release();
      server?.close();
      listener.close();
      await reactor.stopped();
      libc.close();
    }
  },
});

Deno.test({
  name: "reactor: the loop closes its epoll fd and stops once the last socket is removed",
  ignore: !RAW,
  fn: async () => {
    const libc = openLibc();
    const reactor = new Reactor(libc, { parkMs: 5000 }); // so only the eventfd can end a park early
    const listener = listenBelowEphemeral();
    try {
      const fds = [0, 1].map(() => connecting(libc, (listener.addr as Deno.NetAddr).port));
      const slots = fds.map((fd) => reactor.add(fd));
      const ep = reactor.epollFd;
      assert.ok(ep >= 0);
      await new Promise((resolve) => setTimeout(resolve, 120)); // past a park or two
      libc.symbols.close(fds[0]);
      reactor.remove(slots[0]);
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.ok(reactor.running, "one socket is still registered");
      libc.symbols.close(fds[1]);
      reactor.remove(slots[1]);
      const start = performance.now();
      await reactor.stopped();
      // The parked epoll_wait is woken (eventfd), not left to its bound.
      assert.ok(performance.now() - start < 40, `stopped after ${performance.now() - start} ms`);
      assert.equal(reactor.running, false);
      assert.equal(reactor.sockets, 0);
      assert.equal(reactor.epollFd, -1);
      // Closed: EBADF, or EINVAL if another fd (not an epoll one) took its number since.
      const result = libc.symbols.epoll_wait(ep, new Uint8Array(12), 1, 0);
      const errno = libc.errno();
      assert.ok(result === -1 && (errno === 9 || errno === 22), `epoll_wait: ${result}, ${errno}`);
    } finally {
      listener.close();
      await reactor.stopped();
      libc.close();
    }
  },
});

Deno.test({
  name: "reactor: a 10 ms timer fires in time while 50 sessions wait in reads",
  ignore: !RAW,
  fn: async () => {
    await using server = await startReferenceServer("leaky");
    const libc = openLibc();
    const layer = rawSocketLayer(libc);
    const stop = new AbortController();
    let connected = 0;
    let allConnected: () => void;
    const ready = new Promise<void>((resolve) => allConnected = resolve);
    const blocked: Scenario = async (session) => {
      await session.connect();
      if (++connected === 50) allConnected();
      await session.read({ timeout: "10s" });
    };
    const sessions = Array.from(
      { length: 50 },
      (_, index) =>
        runScriptedSession(layer, blocked, { to: server.target, index, signal: stop.signal }, {
          connectTimeoutMs: 5000,
          closeTimeoutMs: 1000,
        }),
    );
    try {
      await ready;
      const late: number[] = [];
      for (let i = 0; i < 5; i++) late.push(await timerLateness());
      assert.ok(Math.max(...late) < 50, `a 10 ms timer was late by ${late.join(", ")} ms`);
    } finally {
      stop.abort();
      const records = await Promise.all(sessions);
      await layer.stopped();
      libc.close();
      assert.ok(records.every((r) => r.outcome === "interrupted"));
    }
  },
});

Deno.test({
  name: "reactor: timers keep firing while 100 sessions keep the loop busy",
  ignore: !RAW,
  fn: async () => {
    await using server = await startReferenceServer("well-behaved");
    const libc = openLibc();
    const layer = rawSocketLayer(libc);
    const until = performance.now() + 300;
    const busy: Scenario = async (session) => {
      await session.connect();
      while (performance.now() < until) {
        await session.write("x");
        await session.readBytes(1);
      }
      await session.closeWrite();
      await session.expectEof();
    };
    const sessions = Array.from(
      { length: 100 },
      (_, index) =>
        runScriptedSession(layer, busy, { to: server.target, index }, {
          connectTimeoutMs: 5000,
          closeTimeoutMs: 5000,
        }),
    );
    const late: number[] = [];
    while (performance.now() < until - 20) late.push(await timerLateness());
    const records = await Promise.all(sessions);
    await layer.stopped();
    libc.close();
    assert.ok(records.every((r) => r.outcome === "clean"));
    // A starved event loop would hold a timer for the whole run; a shared,
    // noisy 2-core machine still delays one now and then (50-110 ms seen
    // with either engine's layer), so the median is what must stay small.
    late.sort((a, b) => a - b);
    const median = late[late.length >> 1];
    assert.ok(
      late.length >= 5 && median < 5 && late.at(-1)! < 250,
      `late by ${late.join(", ")} ms`,
    );
  },
});

Deno.test({
  name: "reactor: 100 timed waits share one timer and one abort listener, and all end on abort",
  ignore: !RAW,
  fn: async () => {
    const libc = openLibc();
    const reactor = new Reactor(libc);
    const listener = listenBelowEphemeral();
    const fds = Array.from(
      { length: 100 },
      () => connecting(libc, (listener.addr as Deno.NetAddr).port),
    );
    const slots = fds.map((fd) => reactor.add(fd));
    const stop = new AbortController();
    let listeners = 0;
    const addListener = stop.signal.addEventListener.bind(stop.signal);
    stop.signal.addEventListener = (...args: Parameters<typeof addListener>) => {
      listeners++;
      addListener(...args);
    };
    const original = globalThis.setTimeout;
    let timers = 0;
    globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => {
      timers++;
      return original(...args);
    }) as typeof setTimeout;
    try {
      // Nothing arrives: each wait ends by its 30 ms timeout, one after another.
      for (const slot of slots.slice(0, 5)) {
        assert.equal(await reactor.readable(slot, 30, stop.signal), "timeout");
      }
      const waits = slots.map((slot) => reactor.readable(slot, 5000, stop.signal));
      const counted = timers;
      stop.abort();
      assert.ok((await Promise.all(waits)).every((how) => how === "aborted"));
      assert.equal(listeners, 1, "one abort listener for the signal, not one per wait");
      assert.ok(counted <= 5 + 1, `${counted} timers for 105 timed waits`);
    } finally {
      globalThis.setTimeout = original;
      for (const [i, fd] of fds.entries()) {
        libc.symbols.close(fd);
        reactor.remove(slots[i]);
      }
      listener.close();
      await reactor.stopped();
      libc.close();
    }
  },
});

Deno.test({
  name: "reactor: blocking waits that see nothing give way to a server in the same event loop",
  ignore: !RAW,
  fn: async () => {
    // 50 ms blocks make the cost plain: each one that waits for this
    // loop's own server stalls it. Without backing off, 20 sessions took
    // at least 20 blocks, 1 s; with it, 4 blocks, then parked waits.
    await using server = await startReferenceServer("well-behaved");
    const libc = openLibc();
    const layer = rawSocketLayer(libc, { blockMs: 50 });
    const lifecycle: Scenario = async (session) => {
      await session.connect();
      await session.write("x");
      await session.readBytes(1);
      await session.closeWrite();
      await session.expectEof();
    };
    const start = performance.now();
    const records = [];
    for (let index = 0; index < 20; index++) {
      records.push(
        await runScriptedSession(layer, lifecycle, { to: server.target, index }, {
          connectTimeoutMs: 5000,
          closeTimeoutMs: 5000,
        }),
      );
    }
    const took = performance.now() - start;
    await layer.stopped();
    libc.close();
    assert.ok(records.every((r) => r.outcome === "clean"));
    assert.ok(took < 600, `20 sessions took ${Math.round(took)} ms`);
  },
});
