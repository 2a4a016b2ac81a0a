/** Tests for lib/census/row.ts: the TCP states and the row de-duplication. */

import assert from "node:assert/strict";
import { TCP_STATES, uniqueSocketRows } from "../../lib/census/row.ts";
import { parseProcNetTcp } from "../../lib/census/proc_net_tcp.ts";
import { parseSsTan } from "../../lib/census/ss.ts";
import { procTcp, procTcp6 } from "./table_fixtures.ts";

Deno.test("TCP_STATES lists the kernel states in st-code order", () => {
  assert.equal(TCP_STATES.length, 12);
  assert.equal(TCP_STATES[0x01 - 1], "ESTABLISHED");
  assert.equal(TCP_STATES[0x06 - 1], "TIME_WAIT");
  assert.equal(TCP_STATES[0x0a - 1], "LISTEN");
  assert.equal(TCP_STATES[0x0c - 1], "NEW_SYN_RECV");
  assert.ok(Object.isFrozen(TCP_STATES));
});

Deno.test("uniqueSocketRows drops rows listed twice, keeping order", () => {
  const rows = parseProcNetTcp(procTcp);
  const repeated = parseProcNetTcp(procTcp + procTcp + procTcp6);
  assert.equal(repeated.length, 27 * 2 + 6);
  assert.deepEqual(uniqueSocketRows(repeated), [...rows, ...parseProcNetTcp(procTcp6)]);
  // Same ports, another state or inode: a different socket, kept.
  const [listen] = parseSsTan("LISTEN 0 5 0.0.0.0:20001 0.0.0.0:*");
  const reusePort = { ...listen, inode: listen.inode + 1 };
  const timeWait = { ...listen, state: "TIME_WAIT" as const };
  assert.deepEqual(uniqueSocketRows([listen, reusePort, timeWait, listen]), [
    listen,
    reusePort,
    timeWait,
  ]);
});
