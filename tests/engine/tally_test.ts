import assert from "node:assert/strict";
import { type Outcome, OUTCOMES } from "../../lib/engine/outcome.ts";
import type { SessionRecord } from "../../lib/engine/session.ts";
import { type EncodedTally, SessionTally, TIMED_PHASES } from "../../lib/engine/tally.ts";

const ZERO_OUTCOMES: Record<Outcome, number> = {
  "clean": 0,
  "server-closed-first": 0,
  "reset": 0,
  "no-fin": 0,
  "refused": 0,
  "connect-timeout": 0,
  "tester-limit": 0,
  "interrupted": 0,
  "aborted": 0,
  "error": 0,
};

/** One plausible record of every outcome (9 sessions, 8 with a handshake). */
function recordsOfEveryOutcome(): SessionRecord[] {
  return [
    {
      outcome: "clean",
      phase: "close",
      handshakeUs: 40,
      firstByteUs: 120,
      closeUs: 90,
      bytesReceived: 17,
      errors: [],
    },
    {
      outcome: "server-closed-first",
      phase: "firstByte",
      handshakeUs: 50,
      firstByteUs: 200,
      closeUs: 10,
      bytesReceived: 5,
      errors: [],
    },
    {
      outcome: "reset",
      phase: "close",
      errno: "ECONNRESET",
      handshakeUs: 60,
      firstByteUs: 300,
      bytesReceived: 5,
      errors: [{ phase: "close", operation: "read", errno: "ECONNRESET" }],
    },
    {
      outcome: "no-fin",
      phase: "close",
      handshakeUs: 70,
      firstByteUs: 400,
      bytesReceived: 5,
      errors: [],
    },
    {
      outcome: "refused",
      phase: "handshake",
      errno: "ECONNREFUSED",
      bytesReceived: 0,
      errors: [{ phase: "handshake", operation: "connect", errno: "ECONNREFUSED" }],
    },
    {
      outcome: "connect-timeout",
      phase: "handshake",
      errno: "ETIMEDOUT",
      bytesReceived: 0,
      errors: [{ phase: "handshake", operation: "connect", errno: "ETIMEDOUT" }],
    },
    {
      outcome: "tester-limit",
      phase: "handshake",
      errno: "EMFILE",
      bytesReceived: 0,
      errors: [{ phase: "handshake", operation: "connect", errno: "EMFILE" }],
    },
    {
      outcome: "interrupted",
      phase: "hold",
      handshakeUs: 80,
      firstByteUs: 500,
      bytesReceived: 5,
      errors: [],
    },
    {
      outcome: "error",
      phase: "firstByte",
      errno: "EPIPE",
      handshakeUs: 90,
      bytesReceived: 0,
      errors: [
        { phase: "firstByte", operation: "write", errno: "EPIPE" },
        { phase: "close", operation: "read", errno: "ECONNRESET" },
      ],
    },
  ];
}

function tallyOf(records: SessionRecord[], sentData = false): SessionTally {
  const tally = new SessionTally();
  for (const record of records) tally.add(record, sentData);
  return tally;
}

function clean(handshakeUs: number, closeUs: number): SessionRecord {
  return { outcome: "clean", phase: "close", handshakeUs, closeUs, bytesReceived: 0, errors: [] };
}

Deno.test("a new tally is empty, with every outcome at zero", () => {
  const tally = new SessionTally();
  assert.equal(tally.sessions, 0);
  assert.equal(tally.noResponse, 0);
  assert.deepEqual(tally.outcomes, ZERO_OUTCOMES);
  assert.deepEqual(Object.keys(tally.outcomes), [...OUTCOMES]);
  assert.deepEqual(tally.errors, []);
  assert.deepEqual(TIMED_PHASES, ["handshake", "tls", "firstByte", "close"]);
  for (const phase of TIMED_PHASES) assert.equal(tally.histograms[phase].count, 0);
});

Deno.test("add counts every outcome and records only the phases that were timed", () => {
  const tally = tallyOf(recordsOfEveryOutcome());
  assert.equal(tally.sessions, 9);
  assert.deepEqual(tally.outcomes, {
    "clean": 1,
    "server-closed-first": 1,
    "reset": 1,
    "no-fin": 1,
    "refused": 1,
    "connect-timeout": 1,
    "tester-limit": 1,
    "interrupted": 1,
    "aborted": 0,
    "error": 1,
  });
  const handshake = tally.histograms.handshake.stats();
  assert.equal(handshake.count, 6);
  assert.equal(handshake.minUs, 40);
  assert.equal(handshake.maxUs, 90);
  assert.equal(handshake.p50Us, 60);
  const firstByte = tally.histograms.firstByte.stats();
  assert.equal(firstByte.count, 5);
  assert.equal(firstByte.minUs, 120);
  assert.equal(firstByte.maxUs, 500);
  const close = tally.histograms.close.stats();
  assert.equal(close.count, 2);
  assert.equal(close.minUs, 10);
  assert.equal(close.maxUs, 90);
});

Deno.test("errors are grouped by phase and errno, most frequent first", () => {
  const tally = tallyOf([
    ...recordsOfEveryOutcome(),
    {
      outcome: "reset",
      phase: "firstByte",
      errno: "ECONNRESET",
      handshakeUs: 45,
      bytesReceived: 0,
      errors: [
        { phase: "firstByte", operation: "read", errno: "ECONNRESET" },
        { phase: "close", operation: "closeWrite", errno: "ECONNRESET" },
      ],
    },
  ]);
  assert.deepEqual(tally.errors, [
    { phase: "close", errno: "ECONNRESET", count: 3 },
    { phase: "handshake", errno: "ECONNREFUSED", count: 1 },
    { phase: "handshake", errno: "ETIMEDOUT", count: 1 },
    { phase: "handshake", errno: "EMFILE", count: 1 },
    { phase: "firstByte", errno: "EPIPE", count: 1 },
    { phase: "firstByte", errno: "ECONNRESET", count: 1 },
  ]);
});

Deno.test("noResponse counts connected sessions that sent data and got no byte back", () => {
  const tally = new SessionTally();
  // Sent, connected, no first byte: counted.
  tally.add(
    { outcome: "no-fin", phase: "close", handshakeUs: 50, bytesReceived: 0, errors: [] },
    true,
  );
  // Sent, connected, a first byte: not counted.
  tally.add(
    {
      outcome: "clean",
      phase: "close",
      handshakeUs: 50,
      firstByteUs: 80,
      bytesReceived: 1,
      errors: [],
    },
    true,
  );
  // Sent, never connected: not counted.
  tally.add({ outcome: "refused", phase: "handshake", bytesReceived: 0, errors: [] }, true);
  // Nothing sent: not counted.
  tally.add({ outcome: "clean", phase: "close", handshakeUs: 50, bytesReceived: 0, errors: [] });
  tally.add(
    { outcome: "clean", phase: "close", handshakeUs: 50, bytesReceived: 0, errors: [] },
    false,
  );
  // Sent, connected, reset before any byte: counted.
  tally.add(
    {
      outcome: "reset",
      phase: "firstByte",
      handshakeUs: 50,
      bytesReceived: 0,
      errors: [{ phase: "firstByte", operation: "read", errno: "ECONNRESET" }],
    },
    true,
  );
  assert.equal(tally.sessions, 6);
  assert.equal(tally.noResponse, 2);
  assert.equal(tally.histograms.firstByte.count, 1);
});

Deno.test("encode then merge into a fresh tally reproduces the tally", () => {
  const original = tallyOf(recordsOfEveryOutcome(), true);
  const encoded = original.encode();
  assert.equal(encoded.sessions, 9);
  assert.equal(encoded.noResponse, 1); // the "error" record: connected, sent, no byte back
  for (const phase of TIMED_PHASES) assert.match(encoded.histograms[phase], /^HISTF/);

  const copy = new SessionTally();
  copy.merge(encoded);
  assert.equal(copy.sessions, original.sessions);
  assert.equal(copy.noResponse, original.noResponse);
  assert.deepEqual(copy.outcomes, original.outcomes);
  assert.deepEqual(copy.errors, original.errors);
  for (const phase of TIMED_PHASES) {
    assert.deepEqual(copy.histograms[phase].stats(), original.histograms[phase].stats(), phase);
  }
  assert.deepEqual(copy.encode(), encoded);
});

Deno.test("an encoded tally survives structured clone and JSON", () => {
  const original = tallyOf(recordsOfEveryOutcome(), true);
  const encoded = original.encode();
  for (const copy of [structuredClone(encoded), JSON.parse(JSON.stringify(encoded))]) {
    const tally = new SessionTally();
    tally.merge(copy as EncodedTally);
    assert.deepEqual(tally.encode(), encoded);
  }
});

Deno.test("an encoded tally is a snapshot: later adds do not change it", () => {
  const tally = tallyOf(recordsOfEveryOutcome());
  const encoded = tally.encode();
  const errorsBefore = structuredClone(encoded.errors);
  const outcomesBefore = { ...encoded.outcomes };
  tally.add(recordsOfEveryOutcome()[2]);
  tally.errors[0].count = 1000;
  assert.deepEqual(encoded.errors, errorsBefore);
  assert.deepEqual(encoded.outcomes, outcomesBefore);
  assert.deepEqual(tally.errors[0], { phase: "close", errno: "ECONNRESET", count: 3 });
});

Deno.test("merging two tallies sums them", () => {
  const bRecords: SessionRecord[] = [
    clean(30, 60),
    clean(35, 65),
    {
      outcome: "reset",
      phase: "close",
      errno: "ECONNRESET",
      handshakeUs: 1_000_000,
      bytesReceived: 0,
      errors: [{ phase: "close", operation: "read", errno: "ECONNRESET" }],
    },
  ];
  const a = tallyOf(recordsOfEveryOutcome(), true);
  const b = tallyOf(bRecords, true);
  const merged = new SessionTally();
  merged.merge(a.encode());
  merged.merge(b.encode());

  assert.equal(merged.sessions, 12);
  assert.equal(merged.noResponse, 4);
  assert.deepEqual(merged.outcomes, { ...a.outcomes, clean: 3, reset: 2 });
  assert.deepEqual(merged.errors, [
    { phase: "close", errno: "ECONNRESET", count: 3 },
    { phase: "handshake", errno: "ECONNREFUSED", count: 1 },
    { phase: "handshake", errno: "ETIMEDOUT", count: 1 },
    { phase: "handshake", errno: "EMFILE", count: 1 },
    { phase: "firstByte", errno: "EPIPE", count: 1 },
  ]);
  assert.equal(merged.histograms.handshake.count, 9);
  assert.equal(merged.histograms.firstByte.count, 5);
  assert.equal(merged.histograms.close.count, 4);
  assert.equal(merged.histograms.handshake.countAtOrAbove(1_000_000), 1);

  // The histograms equal those of one tally that saw every record.
  const all = tallyOf([...recordsOfEveryOutcome(), ...bRecords], true);
  const allEncoded = new SessionTally();
  allEncoded.merge(all.encode());
  assert.deepEqual(merged.encode(), allEncoded.encode());
  for (const phase of TIMED_PHASES) {
    const m = merged.histograms[phase].stats();
    const d = all.histograms[phase].stats();
    assert.deepEqual(
      [m.count, m.meanUs, m.p50Us, m.p90Us, m.p99Us, m.p999Us],
      [d.count, d.meanUs, d.p50Us, d.p90Us, d.p99Us, d.p999Us],
      phase,
    );
  }
});

Deno.test("merge tolerates missing outcome keys and empty histograms", () => {
  const tally = tallyOf([clean(40, 90)]);
  tally.merge({
    sessions: 1,
    outcomes: { refused: 1 } as Record<Outcome, number>,
    // Written before the tls phase: no key for it.
    histograms: { handshake: "", firstByte: "", close: "" } as EncodedTally["histograms"],
    errors: [{ phase: "handshake", errno: "ECONNREFUSED", count: 1 }],
    noResponse: 0,
    firstConnectAt: null,
    lastConnectAt: null,
  });
  assert.equal(tally.sessions, 2);
  assert.deepEqual(tally.outcomes, { ...ZERO_OUTCOMES, clean: 1, refused: 1 });
  assert.equal(tally.histograms.handshake.count, 1);
  assert.deepEqual(tally.errors, [{ phase: "handshake", errno: "ECONNREFUSED", count: 1 }]);
});

Deno.test("the connect-call spread merges as the earliest and latest call", () => {
  const a = new SessionTally();
  const b = new SessionTally();
  const at = (connectCalledAt: number) => ({
    outcome: "clean" as const,
    phase: "close" as const,
    handshakeUs: 30,
    connectCalledAt,
    bytesReceived: 0,
    errors: [],
  });
  a.add(at(1000.5));
  a.add(at(1003.25));
  b.add(at(999.75));
  b.add({ ...at(0), connectCalledAt: undefined });
  assert.equal(b.lastConnectAt, 999.75);
  const merged = new SessionTally();
  merged.merge(a.encode());
  merged.merge(b.encode());
  assert.equal(merged.firstConnectAt, 999.75);
  assert.equal(merged.lastConnectAt, 1003.25);
  assert.equal(new SessionTally().encode().firstConnectAt, null);
});

Deno.test("dropped and intended starts survive encode and sum on merge", () => {
  const a = new SessionTally();
  a.countStarts({ intended: 100, dropped: 90 });
  const b = new SessionTally();
  b.countStarts({ intended: 50, dropped: 0 });
  const merged = new SessionTally();
  merged.merge(JSON.parse(JSON.stringify(a.encode())));
  merged.merge(b.encode());
  assert.equal(merged.intendedStarts, 150);
  assert.equal(merged.droppedStarts, 90);
  // A tally encoded before the counters existed merges as zeros.
  const old = b.encode() as Partial<EncodedTally>;
  delete old.droppedStarts;
  delete old.intendedStarts;
  merged.merge(old as EncodedTally);
  assert.equal(merged.intendedStarts, 150);
});

Deno.test("scripted sessions' marks, checks and thrown messages merge exactly", () => {
  const a = new SessionTally();
  const b = new SessionTally();
  const scripted = (us: number, scriptError?: string): SessionRecord => ({
    outcome: scriptError ? "error" : "clean",
    phase: "close",
    bytesReceived: 0,
    errors: [],
    marks: [{ key: "login", us }, { key: "query{table:users}", us: us * 2 }],
    ...(scriptError && { scriptError }),
  });
  a.add(scripted(100));
  a.add(scripted(300, "Error: no banner"));
  b.add(scripted(200, "Error: no banner"));
  b.add(scripted(400, "TypeError: x"));
  a.addChecks([{ name: "pong", passes: 2, fails: 0 }]);
  b.addChecks([{ name: "pong", passes: 1, fails: 1 }, {
    name: "ok",
    tags: { a: "1" },
    passes: 1,
    fails: 0,
  }]);
  const merged = new SessionTally();
  merged.merge(a.encode());
  merged.merge(b.encode());
  assert.equal(merged.marks.get("login")?.count, 4);
  assert.equal(merged.marks.get("login")?.stats().maxUs, 400);
  assert.equal(merged.marks.get("query{table:users}")?.stats().minUs, 200);
  assert.deepEqual(merged.checks, [
    { name: "pong", passes: 3, fails: 1 },
    { name: "ok", tags: { a: "1" }, passes: 1, fails: 0 },
  ]);
  assert.deepEqual(merged.scriptErrors, [
    { message: "Error: no banner", count: 2 },
    { message: "TypeError: x", count: 1 },
  ]);
  // A built-in run's tally keeps its old shape: no scripted keys.
  const plain = new SessionTally();
  plain.add({ outcome: "clean", phase: "close", bytesReceived: 0, errors: [] });
  assert.deepEqual(
    Object.keys(plain.encode()).filter((k) => ["marks", "checks", "scriptErrors"].includes(k)),
    [],
  );
});

Deno.test("past 50 distinct thrown messages, the rest count under one line", () => {
  const tally = new SessionTally();
  for (let i = 0; i < 60; i++) {
    tally.add({
      outcome: "error",
      phase: "hold",
      bytesReceived: 0,
      errors: [],
      scriptError: `E${i}`,
    });
  }
  assert.equal(tally.scriptErrors.length, 51);
  assert.deepEqual(tally.scriptErrors[0], { message: "(other messages)", count: 10 });
});
