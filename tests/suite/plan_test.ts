/** Tests for lib/suite/plan.ts: the request over the config file over the defaults. */
import assert from "node:assert/strict";
import { type CheckRequest, DEFAULT_SUITE_SETTINGS, planCheck } from "../../lib/suite/plan.ts";
import type { SynfinConfig } from "../../lib/suite/config.ts";
import { UsageError } from "../../lib/base/errors.ts";
import { parseTarget } from "../../lib/base/target.ts";

const NO_FLAGS: CheckRequest = { cases: [], skip: [], thresholds: [] };
const TARGET = parseTarget("127.0.0.1:20001");

/** A config file that sets every key. */
const FULL_CONFIG: SynfinConfig = {
  target: "127.0.0.1:20002",
  cases: ["close/"],
  skip: ["close/no-reset"],
  strict: true,
  thresholds: ["handshake.p99<5ms", "server.closeWait==0"],
  junit: "config.xml",
  json: "config.json",
  connectTimeout: "4s",
  closeTimeout: "1500ms",
  drain: "2s",
  duration: "10s",
  concurrency: 20,
  serverSockets: "ssh host ss -tan",
};

Deno.test("DEFAULT_SUITE_SETTINGS", () => {
  const { payload, ...rest } = DEFAULT_SUITE_SETTINGS;
  assert.deepEqual(rest, {
    handshakeBoundMs: 1000,
    connectTimeoutMs: 3000,
    closeTimeoutMs: 2000,
    census: { drainMs: 3000 },
    loadDurationMs: 3000,
    concurrency: 50,
    burstSize: 128,
    idleBoundMs: 5000,
  });
  assert.equal(new TextDecoder().decode(payload), "synfin half-close probe\r\n");
});

Deno.test("planCheck with nothing but a target: the defaults", () => {
  const plan = planCheck(NO_FLAGS, {}, TARGET);
  assert.deepEqual(plan, {
    target: TARGET,
    settings: DEFAULT_SUITE_SETTINGS,
    only: [],
    skip: [],
    strict: false,
    thresholds: [],
  });
  // No serverSocketsCommand key: deepEqual is strict about keys.
  assert.deepEqual(plan.settings.census, { drainMs: 3000 });
  assert.equal("junitPath" in plan, false);
  assert.equal("jsonPath" in plan, false);
});

Deno.test("planCheck: the config file overrides the defaults", () => {
  const plan = planCheck(NO_FLAGS, FULL_CONFIG, TARGET);
  assert.deepEqual(plan.settings, {
    ...DEFAULT_SUITE_SETTINGS,
    connectTimeoutMs: 4000,
    closeTimeoutMs: 1500,
    census: { drainMs: 2000, serverSocketsCommand: "ssh host ss -tan" },
    loadDurationMs: 10_000,
    concurrency: 20,
  });
  assert.deepEqual(plan.only, ["close/"]);
  assert.deepEqual(plan.skip, ["close/no-reset"]);
  assert.equal(plan.strict, true);
  assert.deepEqual(plan.thresholds.map((t) => t.expression), [
    "handshake.p99<5ms",
    "server.closeWait==0",
  ]);
  assert.equal(plan.junitPath, "config.xml");
  assert.equal(plan.jsonPath, "config.json");
});

Deno.test("planCheck: flags override the config file", () => {
  const payload = new TextEncoder().encode("ping\n");
  const flags: CheckRequest = {
    cases: ["handshake/accepts", "load/"],
    skip: ["load/steady"],
    thresholds: ["outcome.reset<1%"],
    strict: false,
    junitPath: "flags.xml",
    jsonPath: "-",
    connectTimeoutMs: 700,
    closeTimeoutMs: 300,
    census: { drainMs: 0, serverSocketsCommand: "cat table.txt" },
    durationMs: 1000,
    concurrency: 5,
    burstSize: 16,
    idleBoundMs: 800,
    payload,
  };
  const plan = planCheck(flags, FULL_CONFIG, TARGET);
  assert.deepEqual(plan.settings, {
    handshakeBoundMs: 1000,
    connectTimeoutMs: 700,
    closeTimeoutMs: 300,
    census: { drainMs: 0, serverSocketsCommand: "cat table.txt" },
    loadDurationMs: 1000,
    concurrency: 5,
    burstSize: 16,
    idleBoundMs: 800,
    payload,
  });
  // Cases from flags replace the config's; skips add up, config first.
  assert.deepEqual(plan.only, ["handshake/accepts", "load/"]);
  assert.deepEqual(plan.skip, ["close/no-reset", "load/steady"]);
  assert.equal(plan.strict, false, "an explicit false flag wins over the config's true");
  assert.equal(plan.junitPath, "flags.xml");
  assert.equal(plan.jsonPath, "-");
  assert.equal(plan.target, TARGET);
});

Deno.test("planCheck: thresholds concatenate, the config file's first, and are parsed", () => {
  const plan = planCheck(
    { ...NO_FLAGS, thresholds: ["sessions>=100", "handshake.p99<5ms"] },
    { thresholds: ["handshake.p99<5ms", "close.max<=1s"] },
    TARGET,
  );
  assert.deepEqual(plan.thresholds.map((t) => t.expression), [
    "handshake.p99<5ms",
    "close.max<=1s",
    "sessions>=100",
    "handshake.p99<5ms",
  ]);
  assert.deepEqual(
    plan.thresholds.map((t) => [t.metric, t.operator, t.value, t.unit ?? null]),
    [
      ["handshake.p99", "<", 5, "ms"],
      ["close.max", "<=", 1, "s"],
      ["sessions", ">=", 100, null],
      ["handshake.p99", "<", 5, "ms"],
    ],
  );
});

Deno.test("planCheck: an invalid threshold in the config file is a UsageError", () => {
  assert.throws(
    () => planCheck(NO_FLAGS, { thresholds: ["handshake.p99 <<5ms"] }, TARGET),
    UsageError,
  );
});

Deno.test("planCheck: an invalid duration in the config file names the key", () => {
  assert.throws(
    () => planCheck(NO_FLAGS, { closeTimeout: "soon" }, TARGET),
    (error) =>
      error instanceof UsageError &&
      error.message === 'Invalid config "closeTimeout" "soon": use e.g. 500ms, 10s or 1m',
  );
});

Deno.test("planCheck: a bare number in the config file is seconds", () => {
  assert.equal(planCheck(NO_FLAGS, { duration: "2" }, TARGET).settings.loadDurationMs, 2000);
});

Deno.test("planCheck: census off drops the config's drain and serverSockets", async (t) => {
  await t.step("off whatever the config says", () => {
    const plan = planCheck({ ...NO_FLAGS, census: "off" }, FULL_CONFIG, TARGET);
    assert.equal(plan.settings.census, "off");
    // The rest of the config still applies.
    assert.equal(plan.settings.connectTimeoutMs, 4000);
  });
  await t.step("without a census in the request, the config's drain and serverSockets", () => {
    const plan = planCheck(NO_FLAGS, FULL_CONFIG, TARGET);
    assert.deepEqual(plan.settings.census, {
      drainMs: 2000,
      serverSocketsCommand: "ssh host ss -tan",
    });
  });
  await t.step("the request's census fields override the config's one by one", () => {
    const drain = planCheck({ ...NO_FLAGS, census: { drainMs: 500 } }, FULL_CONFIG, TARGET);
    assert.deepEqual(drain.settings.census, {
      drainMs: 500,
      serverSocketsCommand: "ssh host ss -tan",
    });
    const sockets = planCheck(
      { ...NO_FLAGS, census: { serverSocketsCommand: "cat t.txt" } },
      FULL_CONFIG,
      TARGET,
    );
    assert.deepEqual(sockets.settings.census, { drainMs: 2000, serverSocketsCommand: "cat t.txt" });
  });
  await t.step("an invalid drain in the config file names the key", () => {
    assert.throws(
      () => planCheck(NO_FLAGS, { drain: "soon" }, TARGET),
      (error) =>
        error instanceof UsageError &&
        error.message === 'Invalid config "drain" "soon": use e.g. 500ms, 10s or 1m',
    );
  });
});

Deno.test("planCheck: the target", async (t) => {
  await t.step("from the config file when no target is given", () => {
    const plan = planCheck(NO_FLAGS, { target: "[::1]:20003" });
    assert.deepEqual(plan.target, { hostname: "::1", port: 20003, label: "[::1]:20003" });
  });
  await t.step("the given target wins over the config file's", () => {
    assert.equal(planCheck(NO_FLAGS, FULL_CONFIG, TARGET).target, TARGET);
  });
  await t.step("none anywhere: a UsageError", () => {
    for (const config of [undefined, {}, { target: "" }]) {
      assert.throws(
        () => planCheck(NO_FLAGS, config),
        (error) =>
          error instanceof UsageError &&
          error.message === 'Missing target: give HOST:PORT, or "target" in the config file',
        JSON.stringify(config),
      );
    }
  });
  await t.step("an invalid target in the config file: a UsageError naming it", () => {
    assert.throws(
      () => planCheck(NO_FLAGS, { target: "localhost" }),
      (error) =>
        error instanceof UsageError && error.message.startsWith('Invalid target "localhost"'),
    );
  });
});

Deno.test("planCheck does not change its inputs or the defaults", () => {
  const flags: CheckRequest = {
    cases: [],
    skip: ["a/"],
    thresholds: ["sessions>0"],
    census: { drainMs: 100 },
  };
  const config: SynfinConfig = { skip: ["b/"], thresholds: ["errors==0"] };
  const before = structuredClone({ flags, config });
  const defaults = structuredClone(DEFAULT_SUITE_SETTINGS);
  const plan = planCheck(flags, config, TARGET);
  plan.skip.push("c/");
  plan.settings.concurrency = 1;
  assert.deepEqual({ flags, config }, before);
  assert.deepEqual(DEFAULT_SUITE_SETTINGS, defaults);
});
