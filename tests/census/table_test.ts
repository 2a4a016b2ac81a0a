/**
 * Tests for lib/census/table.ts: the format detection of parseSocketTable,
 * and the readers of this host's table and of a listener's backlog.
 */

import { SocketTableFormatError, SocketTableUnavailableError } from "../../lib/base/errors.ts";
import assert from "node:assert/strict";
import {
  parseSocketTable,
  readListenBacklog,
  readLocalSocketTable,
} from "../../lib/census/table.ts";
import { parseProcNetTcp } from "../../lib/census/proc_net_tcp.ts";
import type { SocketRow } from "../../lib/census/row.ts";
import { parseSsTan } from "../../lib/census/ss.ts";
import {
  matches,
  onlyRow,
  procHandwritten,
  procTcp,
  procTcp6,
  ssLnt,
  ssTan,
  ssTanoe,
} from "./table_fixtures.ts";

Deno.test("parseSocketTable", async (t) => {
  await t.step("detects /proc/net/tcp text, with or without headers", () => {
    assert.deepEqual(parseSocketTable(procTcp + procTcp6), [
      ...parseProcNetTcp(procTcp),
      ...parseProcNetTcp(procTcp6),
    ]);
    const headerless = procTcp.slice(procTcp.indexOf("\n") + 1);
    assert.equal(parseSocketTable(headerless).length, 27);
    assert.equal(parseSocketTable(procHandwritten).length, 3);
  });

  await t.step("detects ss output, with or without a header", () => {
    assert.deepEqual(parseSocketTable(ssTan), parseSsTan(ssTan));
    assert.deepEqual(parseSocketTable(ssTanoe), parseSsTan(ssTanoe));
    assert.deepEqual(parseSocketTable(`\n${ssLnt.slice(ssLnt.indexOf("\n") + 1)}`).length, 10);
  });

  await t.step("gives no rows for empty text", () => {
    assert.deepEqual(parseSocketTable(""), []);
    assert.deepEqual(parseSocketTable(" \n\n"), []);
  });

  await t.step("throws SocketTableFormatError for other text", () => {
    const others = [
      "hello world",
      // `ss -an` has a Netid column: not the ss -tan layout.
      "Netid State Recv-Q Send-Q Local Address:Port Peer Address:Port\n" +
      "tcp   LISTEN 0 5 127.0.0.1:20001 0.0.0.0:*",
      "Proto Recv-Q Send-Q Local Address Foreign Address State", // netstat
      "x".repeat(500),
    ];
    for (const text of others) {
      assert.throws(() => parseSocketTable(text), (error: unknown) => {
        assert.ok(error instanceof SocketTableFormatError);
        assert.equal(error.name, "SocketTableFormatError");
        assert.match(error.message, /^Unrecognised socket table/);
        assert.ok(!error.message.includes("\n") && error.message.length < 200);
        return true;
      });
    }
  });
});

/** Listens on a free port in 20000..31999: below the ephemeral range. */
function listenBelowEphemeral(hostname: string, tcpBacklog?: number): Deno.TcpListener {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    try {
      return Deno.listen({ hostname, port, tcpBacklog });
    } catch (error) {
      if (!(error instanceof Deno.errors.AddrInUse)) throw error;
    }
  }
  throw new Error("No free port in 20000..31999");
}

Deno.test("readLocalSocketTable shows a live connection from both sides", async (t) => {
  for (const hostname of ["127.0.0.1", "::1"]) {
    await t.step(hostname, async () => {
      const listener = listenBelowEphemeral(hostname);
      const port = listener.addr.port;
      const [client, server] = await Promise.all([
        Deno.connect({ hostname, port }),
        listener.accept(),
      ]);
      try {
        const clientPort = client.localAddr.port;
        const listenMatch: Partial<SocketRow> = {
          localAddress: hostname,
          localPort: port,
          state: "LISTEN",
        };
        // The whole 4-tuple and the state: on a shared host the port may still
        // carry TIME_WAIT rows of an earlier server (Deno binds SO_REUSEADDR).
        const clientMatch: Partial<SocketRow> = {
          localAddress: hostname,
          localPort: clientPort,
          remoteAddress: hostname,
          remotePort: port,
          state: "ESTABLISHED",
        };
        const serverMatch: Partial<SocketRow> = {
          localAddress: hostname,
          localPort: port,
          remoteAddress: hostname,
          remotePort: clientPort,
          state: "ESTABLISHED",
        };
        // /proc/net/tcp is not an atomic snapshot: while other processes churn
        // connections a row can be missed, so read again before failing.
        let rows: SocketRow[] = [];
        for (let attempt = 0; attempt < 5; attempt++) {
          rows = await readLocalSocketTable();
          const wanted = [listenMatch, clientMatch, serverMatch];
          if (wanted.every((match) => rows.some((row) => matches(row, match)))) break;
        }
        const listen = onlyRow(rows, listenMatch);
        assert.equal(listen.rxQueue, 0); // accepted already
        assert.ok(listen.inode > 0);
        const clientRow = onlyRow(rows, clientMatch);
        const serverRow = onlyRow(rows, serverMatch);
        assert.ok(clientRow.inode > 0 && serverRow.inode > 0);
      } finally {
        client.close();
        server.close();
        listener.close();
      }
    });
  }
});

Deno.test("readListenBacklog", async (t) => {
  await t.step("returns the backlog a Deno listener was given", async () => {
    const listener = listenBelowEphemeral("127.0.0.1", 7);
    try {
      assert.equal(await readListenBacklog(listener.addr.port), 7);
    } finally {
      listener.close();
    }
  });

  await t.step("returns undefined when nothing listens on the port", async () => {
    const listener = listenBelowEphemeral("127.0.0.1");
    const port = listener.addr.port;
    listener.close();
    assert.equal(await readListenBacklog(port), undefined);
  });

  await t.step("rejects ports outside 1..65535", async () => {
    for (const port of [0, 65536, 1.5, NaN]) {
      await assert.rejects(readListenBacklog(port), RangeError);
    }
  });
});

Deno.test({
  name: "reading the table without --allow-run throws SocketTableUnavailableError",
  permissions: { read: true, run: false },
  fn: async () => {
    for (const read of [readLocalSocketTable, () => readListenBacklog(20_001)]) {
      await assert.rejects(read(), (error: unknown) => {
        assert.ok(error instanceof SocketTableUnavailableError);
        assert.equal(error.name, "SocketTableUnavailableError");
        assert.match(error.message, /not allowed to run (cat|ss)/);
        assert.ok(error.cause instanceof Deno.errors.NotCapable);
        return true;
      });
    }
  },
});
