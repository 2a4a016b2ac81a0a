/**
 * Tests for lib/census/source.ts: real listeners and connections on
 * loopback, real commands run through `sh -c`.
 */

import { SocketTableFormatError, SocketTableUnavailableError } from "../../lib/base/errors.ts";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  commandSocketSource,
  isThisHost,
  localSocketSource,
  portSocketSource,
} from "../../lib/census/source.ts";
import { parseProcNetTcp } from "../../lib/census/proc_net_tcp.ts";
import { type SocketRow, uniqueSocketRows } from "../../lib/census/row.ts";
import { parseSsTan } from "../../lib/census/ss.ts";
import { listenBelowEphemeral } from "../../lib/testing/reference_servers.ts";
import type { Target } from "../../lib/base/target.ts";

const fixturePath = (name: string): string =>
  fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

const PROC_FILES = `'${fixturePath("proc_net_tcp.txt")}' '${fixturePath("proc_net_tcp6.txt")}'`;

const [procTcp, procTcp6, ssTan] = await Promise.all(
  ["proc_net_tcp.txt", "proc_net_tcp6.txt", "ss_tan.txt"].map((name) =>
    Deno.readTextFile(fixturePath(name))
  ),
);

const matches = (row: SocketRow, match: Partial<SocketRow>): boolean =>
  Object.entries(match).every(([key, value]) => row[key as keyof SocketRow] === value);

const count = (rows: SocketRow[], match: Partial<SocketRow>): number =>
  rows.filter((row) => matches(row, match)).length;

/**
 * Reads until every wanted row is there: the kernel's table is not an atomic
 * snapshot, so a row can be missed while other processes churn connections.
 */
async function readUntilSeen(
  read: () => Promise<SocketRow[]>,
  wanted: Partial<SocketRow>[],
): Promise<SocketRow[]> {
  let rows: SocketRow[] = [];
  for (let attempt = 0; attempt < 5; attempt++) {
    rows = await read();
    if (wanted.every((match) => rows.some((row) => matches(row, match)))) break;
  }
  return rows;
}

/** A loopback listener and one connection to it, both ends open. */
async function openPair(backlog?: number) {
  const listener = listenBelowEphemeral({ backlog });
  const port = listener.addr.port;
  const [client, server] = await Promise.all([
    Deno.connect({ hostname: "127.0.0.1", port }),
    listener.accept(),
  ]);
  const clientPort = client.localAddr.port;
  return {
    port,
    clientPort,
    listen: { localPort: port, state: "LISTEN" } as Partial<SocketRow>,
    clientEnd: {
      localAddress: "127.0.0.1",
      localPort: clientPort,
      remoteAddress: "127.0.0.1",
      remotePort: port,
      state: "ESTABLISHED",
    } as Partial<SocketRow>,
    serverEnd: {
      localAddress: "127.0.0.1",
      localPort: port,
      remoteAddress: "127.0.0.1",
      remotePort: clientPort,
      state: "ESTABLISHED",
    } as Partial<SocketRow>,
    close() {
      client.close();
      server.close();
      listener.close();
    },
  };
}

Deno.test("localSocketSource", async (t) => {
  const source = localSocketSource();

  await t.step("describes itself as the local /proc table", () => {
    assert.equal(source.description, "local /proc/net/tcp");
    assert.equal(source.local, true);
  });

  await t.step("sees a listener it did not accept from yet", async () => {
    const listener = listenBelowEphemeral();
    const port = listener.addr.port;
    try {
      const listen = { localAddress: "127.0.0.1", localPort: port, state: "LISTEN" } as const;
      const rows = await readUntilSeen(() => source.read(), [listen]);
      assert.equal(count(rows, listen), 1);
      const row = rows.find((r) => matches(r, listen))!;
      assert.equal(row.rxQueue, 0);
      assert.equal(row.txQueue, 0, "/proc shows no backlog");
      assert.ok(row.inode > 0);
    } finally {
      listener.close();
    }
  });

  await t.step("sees both ends of a live connection, and the listener", async () => {
    const pair = await openPair();
    try {
      const rows = await readUntilSeen(
        () => source.read(),
        [pair.listen, pair.clientEnd, pair.serverEnd],
      );
      assert.equal(count(rows, pair.listen), 1);
      assert.equal(count(rows, pair.clientEnd), 1);
      assert.equal(count(rows, pair.serverEnd), 1);
    } finally {
      pair.close();
    }
  });

  await t.step("a closed listener's LISTEN row is gone", async () => {
    const listener = listenBelowEphemeral();
    const port = listener.addr.port;
    listener.close();
    const rows = await source.read();
    assert.equal(count(rows, { localPort: port, state: "LISTEN" }), 0);
  });
});

Deno.test("commandSocketSource", async (t) => {
  await t.step("describes itself by its command and is not local", () => {
    const source = commandSocketSource("ssh db cat /proc/net/tcp");
    assert.equal(source.description, "command: ssh db cat /proc/net/tcp");
    assert.equal(source.local, false);
  });

  await t.step("reads a captured /proc table through cat (the remote path)", async () => {
    const rows = await commandSocketSource(`cat ${PROC_FILES}`).read();
    const expected = [...parseProcNetTcp(procTcp), ...parseProcNetTcp(procTcp6)];
    assert.equal(rows.length, 33);
    assert.deepEqual(rows, expected);
    assert.equal(count(rows, { localPort: 20003, state: "CLOSE_WAIT" }), 1);
    assert.equal(count(rows, { state: "LISTEN" }), 10);
  });

  await t.step("reads captured ss -tan output too", async () => {
    const rows = await commandSocketSource(`cat '${fixturePath("ss_tan.txt")}'`).read();
    assert.deepEqual(rows, parseSsTan(ssTan));
    // ss gives the backlog in a LISTEN row's Send-Q.
    assert.equal(rows.find((r) => matches(r, { localPort: 20005, state: "LISTEN" }))?.txQueue, 9);
  });

  await t.step("drops rows repeated in one read", async () => {
    const rows = await commandSocketSource(`cat ${PROC_FILES} ${PROC_FILES}`).read();
    assert.equal(rows.length, 33);
    assert.deepEqual(
      rows,
      uniqueSocketRows([...parseProcNetTcp(procTcp), ...parseProcNetTcp(procTcp6)]),
    );
  });

  await t.step("keeps the output of a command that printed a table, then failed", async () => {
    // cat exits 1 on the missing file, after printing the other one.
    const source = commandSocketSource(
      `cat '${fixturePath("proc_net_tcp.txt")}' /nonexistent/synfin-tcp6`,
    );
    assert.equal((await source.read()).length, 27);
  });

  await t.step("ss -tan sees a real established connection, both ends", async () => {
    const pair = await openPair(7);
    try {
      const source = commandSocketSource("ss -tan");
      const rows = await readUntilSeen(
        () => source.read(),
        [pair.listen, pair.clientEnd, pair.serverEnd],
      );
      assert.equal(count(rows, pair.clientEnd), 1);
      assert.equal(count(rows, pair.serverEnd), 1);
      const listen = rows.filter((r) => matches(r, pair.listen));
      assert.equal(listen.length, 1);
      assert.equal(listen[0].txQueue, 7, "ss shows the backlog in Send-Q");
    } finally {
      pair.close();
    }
  });

  await t.step("a failing command throws SocketTableUnavailableError naming it", async () => {
    const cases: [string, RegExp][] = [
      ["exit 3", /"exit 3" exited with code 3$/],
      ["echo oops >&2; exit 1", /"echo oops >&2; exit 1" exited with code 1: oops$/],
      // Only stderr's first line is kept, so the message stays on one line.
      ["printf 'first\\nsecond\\n' >&2; exit 2", /exited with code 2: first$/],
      ["synfin-no-such-command-here", /exited with code 127: .*not found/],
    ];
    for (const [command, message] of cases) {
      await assert.rejects(commandSocketSource(command).read(), (error: unknown) => {
        assert.ok(error instanceof SocketTableUnavailableError, String(error));
        assert.equal(error.name, "SocketTableUnavailableError");
        assert.match(error.message, message);
        assert.ok(error.message.includes(command), error.message);
        assert.ok(!error.message.includes("\n"), `one line: ${JSON.stringify(error.message)}`);
        assert.ok(error.cause instanceof Error);
        return true;
      });
    }
  });

  await t.step("output that is not a socket table throws SocketTableFormatError", async () => {
    for (const command of ["echo hello world", "printf 'Proto Recv-Q\\n'", "echo 'ESTAB x y'"]) {
      await assert.rejects(commandSocketSource(command).read(), (error: unknown) => {
        assert.ok(error instanceof SocketTableFormatError, `${command}: ${error}`);
        assert.ok(!error.message.includes("\n"));
        return true;
      });
    }
  });

  await t.step("a command that succeeds without output gives no rows", async () => {
    assert.deepEqual(await commandSocketSource("true").read(), []);
  });
});

Deno.test({
  name: "commandSocketSource: a command past timeoutMs is reported as a timeout",
  fn: async () => {
    const source = commandSocketSource("exec sleep 5", { timeoutMs: 200 });
    await assert.rejects(source.read(), (error: unknown) => {
      assert.ok(error instanceof SocketTableUnavailableError);
      assert.match(error.message, /"exec sleep 5": no answer within 200 ms$/);
      return true;
    });
  },
});

Deno.test({
  name: "commandSocketSource: timeoutMs bounds the read even when sh has children",
  fn: async () => {
    const source = commandSocketSource(`sleep 3; cat ${PROC_FILES}`, { timeoutMs: 200 });
    const started = performance.now();
    await assert.rejects(source.read(), SocketTableUnavailableError);
    const tookMs = performance.now() - started;
    assert.ok(tookMs < 1500, `took ${Math.round(tookMs)} ms`);
  },
});

Deno.test({
  name: "commandSocketSource without --allow-run=sh says which permission to grant",
  permissions: { read: true, run: false },
  fn: async () => {
    await assert.rejects(commandSocketSource("cat /proc/net/tcp").read(), (error: unknown) => {
      assert.ok(error instanceof SocketTableUnavailableError);
      assert.match(error.message, /not allowed to run it \(grant --allow-run=timeout,sh\)/);
      assert.ok(error.message.includes('"cat /proc/net/tcp"'));
      assert.ok(error.cause instanceof Deno.errors.NotCapable);
      return true;
    });
  },
});

const target = (hostname: string): Target => ({
  hostname,
  port: 20001,
  label: hostname.includes(":") ? `[${hostname}]:20001` : `${hostname}:20001`,
});

/** A non-loopback address of this host, read while sys permission is granted. */
const interfaceAddress =
  Deno.networkInterfaces().find((nic) => nic.family === "IPv4" && !nic.address.startsWith("127."))
    ?.address ?? Deno.networkInterfaces()[0].address;
const allAddresses = Deno.networkInterfaces().map((nic) => nic.address);

Deno.test("isThisHost", async (t) => {
  await t.step("loopback addresses and localhost are this host", () => {
    for (const host of ["127.0.0.1", "127.0.0.2", "::1", "localhost", "LOCALHOST"]) {
      assert.equal(isThisHost(target(host)), true, host);
    }
  });

  await t.step("an address of one of this host's interfaces is this host", () => {
    assert.equal(isThisHost(target(interfaceAddress)), true, interfaceAddress);
    for (const address of allAddresses) assert.equal(isThisHost(target(address)), true, address);
  });

  await t.step("an address no interface has is not this host", () => {
    assert.ok(!allAddresses.includes("192.0.2.1"), "precondition: 192.0.2.1 is not ours");
    assert.equal(isThisHost(target("192.0.2.1")), false);
    assert.equal(isThisHost(target("2001:db8::1")), false);
    // Host names other than localhost are not resolved.
    assert.equal(isThisHost(target("example.com")), false);
  });
});

Deno.test({
  name: "isThisHost without sys permission: only loopback counts",
  permissions: { sys: false },
  fn: () => {
    assert.equal(isThisHost(target("127.0.0.1")), true);
    assert.equal(isThisHost(target("localhost")), true);
    if (!interfaceAddress.startsWith("127.") && interfaceAddress !== "::1") {
      assert.equal(isThisHost(target(interfaceAddress)), false);
    }
  },
});

Deno.test("portSocketSource reads one port's sockets with ss, backlog, timers and inodes included", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0, tcpBacklog: 7 });
  const port = (listener.addr as Deno.NetAddr).port;
  const client = await Deno.connect({ hostname: "127.0.0.1", port });
  const other = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const source = portSocketSource(port);
    assert.equal(source.description, `local ss (port ${port})`);
    assert.equal(source.local, true);
    const rows = await source.read();
    const otherPort = (other.addr as Deno.NetAddr).port;
    assert.ok(rows.every((row) => row.localPort === port || row.remotePort === port));
    assert.ok(!rows.some((row) => row.localPort === otherPort), "the filter is applied");
    const listen = rows.find((row) => row.state === "LISTEN");
    assert.equal(listen?.txQueue, 7, "ss gives the backlog in Send-Q");
    // Not accepted yet: the server's end waits in the accept queue.
    assert.equal(listen?.rxQueue, 1);
    assert.ok(rows.some((row) => row.state === "ESTABLISHED" && row.remotePort === port));
    // ss -e: sockets a process holds have an inode; the queued server end has none.
    assert.ok((listen?.inode ?? 0) > 0, "the listener's inode");
    const ours = rows.find((row) => row.state === "ESTABLISHED" && row.remotePort === port);
    assert.ok((ours?.inode ?? 0) > 0, "our socket's inode");
    const queued = rows.find((row) => row.state === "ESTABLISHED" && row.localPort === port);
    assert.equal(queued?.inode, 0, "not accepted: no inode");
  } finally {
    client.close();
    listener.close();
    other.close();
  }
});
