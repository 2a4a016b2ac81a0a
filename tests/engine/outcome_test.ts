import assert from "node:assert/strict";
import {
  connectOutcome,
  describeOutcomes,
  FAILING_OUTCOMES,
  handshakeCompletedBefore,
  type Outcome,
  OUTCOMES,
  RESET_ERRNOS,
  TESTER_LIMIT_ERRNOS,
} from "../../lib/engine/outcome.ts";
import { errnoOf } from "../../lib/base/errno.ts";
import { listenOnRandomPort } from "../support/loopback.ts";
import { LoadRunner } from "../../lib/engine/runner.ts";
import { startReferenceServer } from "../../lib/testing/reference_servers.ts";

/** A port on 127.0.0.1 that was just listening and now is not. */
function closedPort(): number {
  const listener = listenOnRandomPort();
  const port = listener.addr.port;
  listener.close();
  return port;
}

async function connectError(options: Deno.ConnectOptions): Promise<unknown> {
  try {
    const conn = await Deno.connect(options);
    conn.close();
  } catch (error) {
    return error;
  }
  assert.fail(`connecting to ${options.hostname}:${options.port} succeeded`);
}

Deno.test("OUTCOMES lists every outcome once, in report order", () => {
  assert.deepEqual(OUTCOMES, [
    "clean",
    "server-closed-first",
    "reset",
    "no-fin",
    "refused",
    "connect-timeout",
    "tester-limit",
    "interrupted",
    "aborted",
    "error",
  ]);
});

Deno.test("FAILING_OUTCOMES holds the server's failures only", () => {
  const failing: Outcome[] = ["reset", "no-fin", "refused", "connect-timeout", "error"];
  const passing: Outcome[] = [
    "clean",
    "server-closed-first",
    "tester-limit",
    "interrupted",
    "aborted",
  ];
  assert.equal(FAILING_OUTCOMES.size, failing.length);
  for (const outcome of failing) assert.equal(FAILING_OUTCOMES.has(outcome), true, outcome);
  for (const outcome of passing) assert.equal(FAILING_OUTCOMES.has(outcome), false, outcome);
  assert.deepEqual(
    OUTCOMES.filter((o) => !FAILING_OUTCOMES.has(o)),
    passing,
  );
});

Deno.test("TESTER_LIMIT_ERRNOS and RESET_ERRNOS", () => {
  assert.deepEqual([...TESTER_LIMIT_ERRNOS].sort(), [
    "EADDRNOTAVAIL",
    "EMFILE",
    "ENFILE",
    "ENOBUFS",
    "ENOMEM",
  ]);
  assert.deepEqual([...RESET_ERRNOS].sort(), ["ECONNABORTED", "ECONNRESET", "EPIPE"]);
});

Deno.test("a real connect to a closed port on 127.0.0.1 is ECONNREFUSED", async () => {
  const port = closedPort();
  const error = await connectError({ hostname: "127.0.0.1", port });
  assert.ok(error instanceof Deno.errors.ConnectionRefused, String(error));
  assert.equal(errnoOf(error), "ECONNREFUSED");
});

Deno.test("a real connect to a .invalid host name is ENOTFOUND", async () => {
  const error = await connectError({ hostname: "synfin-test.invalid", port: 80 });
  assert.equal(errnoOf(error), "ENOTFOUND", String(error));
});

Deno.test("a real connect that times out is ETIMEDOUT, and an aborted one EINTR", async () => {
  // An already-fired signal fails the connect before any packet leaves.
  const listener = listenOnRandomPort();
  try {
    const port = listener.addr.port;
    const timedOut = AbortSignal.abort(new DOMException("signal timed out", "TimeoutError"));
    assert.equal(
      errnoOf(await connectError({ hostname: "127.0.0.1", port, signal: timedOut })),
      "ETIMEDOUT",
    );
    const aborted = new AbortController();
    aborted.abort();
    assert.equal(
      errnoOf(await connectError({ hostname: "127.0.0.1", port, signal: aborted.signal })),
      "EINTR",
    );
  } finally {
    listener.close();
  }
});

Deno.test("describeOutcomes lists the non-zero outcomes in report order", async (t) => {
  const { describeOutcomes } = await import("../../lib/engine/outcome.ts");
  await t.step("in OUTCOMES order, whatever the keys' order", () => {
    assert.equal(
      describeOutcomes({ error: 2, "no-fin": 1, clean: 3, "connect-timeout": 4 }),
      "clean 3, no-fin 1, connect-timeout 4, error 2",
    );
  });
  await t.step("zeros are left out", () => {
    assert.equal(describeOutcomes({ clean: 0, reset: 5, refused: 0 }), "reset 5");
  });
  await t.step("every outcome", () => {
    const all = Object.fromEntries(OUTCOMES.map((o, i) => [o, i + 1]));
    assert.equal(
      describeOutcomes(all),
      "clean 1, server-closed-first 2, reset 3, no-fin 4, refused 5, connect-timeout 6, " +
        "tester-limit 7, interrupted 8, aborted 9, error 10",
    );
  });
  await t.step("nothing: no sessions", () => {
    assert.equal(describeOutcomes({}), "no sessions");
    assert.equal(describeOutcomes(Object.fromEntries(OUTCOMES.map((o) => [o, 0]))), "no sessions");
  });
  await t.step("keys that are not outcomes are ignored", () => {
    const odd = { clean: 1, bogus: 7 } as Partial<Record<Outcome, number>>;
    assert.equal(describeOutcomes(odd), "clean 1");
  });
});

Deno.test("resetsIn counts reset errnos in the given phases", async (t) => {
  const { resetsIn } = await import("../../lib/engine/outcome.ts");
  const errors = [
    { phase: "handshake" as const, errno: "ECONNRESET", count: 1 },
    { phase: "handshake" as const, errno: "ECONNREFUSED", count: 50 },
    { phase: "firstByte" as const, errno: "EPIPE", count: 2 },
    { phase: "hold" as const, errno: "ECONNABORTED", count: 4 },
    { phase: "hold" as const, errno: "ETIMEDOUT", count: 100 },
    { phase: "close" as const, errno: "ECONNRESET", count: 8 },
    { phase: "close" as const, errno: "EPIPE", count: 16 },
  ];
  await t.step("before our FIN", () => {
    assert.equal(resetsIn(errors, ["handshake", "firstByte", "hold"]), 1 + 2 + 4);
  });
  await t.step("in the close only", () => {
    assert.equal(resetsIn(errors, ["close"]), 8 + 16);
  });
  await t.step("every phase: only the reset errnos count", () => {
    assert.equal(resetsIn(errors, ["handshake", "firstByte", "hold", "close"]), 31);
  });
  await t.step("no phases, or no errors: 0", () => {
    assert.equal(resetsIn(errors, []), 0);
    assert.equal(resetsIn([], ["close"]), 0);
  });
  await t.step("a phase with only other errnos: 0", () => {
    assert.equal(
      resetsIn([{ phase: "handshake", errno: "ECONNREFUSED", count: 3 }], [
        "handshake",
      ]),
      0,
    );
  });
});

Deno.test("a server that resets at accept completed every handshake: each session is reset, none lacks its handshake", async () => {
  await using server = await startReferenceServer("resets-at-accept");
  const result = await new LoadRunner(server.target, {
    sessions: 200,
    concurrency: 20,
    closeTimeoutMs: 200,
  }).run();
  const handshakes = result.tally.histograms.handshake.stats().count;
  assert.equal(result.tally.outcomes.reset, 200, describeOutcomes(result.tally.outcomes));
  // Before handshakeCompletedBefore, the connects that lost the race to the
  // RST (ECONNRESET from SO_ERROR, ENOTCONN from Deno.connect) had no handshake.
  assert.equal(handshakes, 200);
});

Deno.test("handshakeCompletedBefore: a reset or a dead socket after connect, never a refusal or a timeout", () => {
  for (const errno of ["ECONNRESET", "ENOTCONN", "EPIPE", "ECONNABORTED"]) {
    assert.ok(handshakeCompletedBefore(errno), errno);
    assert.equal(connectOutcome(errno), "reset");
  }
  for (const errno of ["ECONNREFUSED", "ETIMEDOUT", "EMFILE", "EHOSTUNREACH"]) {
    assert.ok(!handshakeCompletedBefore(errno), errno);
  }
});
