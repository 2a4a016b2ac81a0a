/**
 * The conformance cases that open sessions of their own build them from
 * the built-in session scenarios (scenarios/sessions/), run by the same
 * runner as `synfin run NAME`; each still judges and words its finding as
 * before, against real reference servers, on the engine of SYNFIN_ENGINE.
 */
import assert from "node:assert/strict";
import { SuiteRunner } from "../../lib/suite/runner.ts";
import { DEFAULT_SUITE_SETTINGS } from "../../lib/suite/plan.ts";
import type { SuiteSettings } from "../../lib/suite/case.ts";
import type { CaseResult } from "../../lib/suite/result.ts";
import type { Target } from "../../lib/base/target.ts";
import {
  type ReferenceServerKind,
  startReferenceServer,
} from "../../lib/testing/reference_servers.ts";
import * as abortSurvivesReset from "../../scenarios/conformance/abort_survives_reset.ts";
import * as closeHalfClose from "../../scenarios/conformance/close_half_close.ts";
import * as handshakeAccepts from "../../scenarios/conformance/handshake_accepts.ts";
import type { ConformanceCase } from "../../lib/suite/case.ts";
import { assertNoSocketsLeft, CAN_ISOLATE, synfinInNamespace } from "../support/faults.ts";

const SETTINGS: SuiteSettings = {
  ...DEFAULT_SUITE_SETTINGS,
  connectTimeoutMs: 500,
  closeTimeoutMs: 300,
  census: "off",
};

async function runCase(target: Target, conformanceCase: ConformanceCase): Promise<CaseResult> {
  const { cases } = await new SuiteRunner(target, [conformanceCase], { settings: SETTINGS }).run();
  return cases[0];
}

async function against(kind: ReferenceServerKind, c: ConformanceCase): Promise<CaseResult> {
  await using server = await startReferenceServer(kind);
  return await runCase(server.target, c);
}

Deno.test("no case opens a socket of its own: sessions come from the built-in scenarios", async () => {
  const folder = new URL("../../scenarios/conformance/", import.meta.url);
  const ownSockets = /\bnode:net\b|\bDeno\.(connect|connectTls|listen)\b|\bnew LoadRunner\(/;
  // load/steady is the suite's load and runs the engines' own half-close
  // lifecycle, as `synfin load` does (its doc says why); the helper runs the scenarios.
  const allowed = new Set(["load_steady.ts", "scenario_run.ts"]);
  const offenders: string[] = [];
  for await (const entry of Deno.readDir(folder)) {
    if (!entry.name.endsWith(".ts") || allowed.has(entry.name)) continue;
    const source = await Deno.readTextFile(new URL(entry.name, folder));
    const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
    if (ownSockets.test(code)) offenders.push(entry.name);
  }
  assert.deepEqual(offenders.sort(), []);
});

Deno.test("close/half-close: an echo server's reply arrives in full after our FIN", async () => {
  const found = await against("well-behaved", closeHalfClose);
  assert.equal(found.verdict, "PASS", found.actual);
  assert.equal(
    found.actual,
    "10 ended with the server's FIN, 0 reset, 0 no FIN in time, 0 other errors; " +
      "10 received a reply (10 exactly our bytes back)",
  );
});

Deno.test("close/half-close: a server that never closes, or resets, fails with the count", async () => {
  const leaky = await against("leaky", closeHalfClose);
  assert.equal(leaky.verdict, "FAIL");
  assert.equal(
    leaky.actual,
    "0 ended with the server's FIN, 0 reset, 10 no FIN in time, 0 other errors; " +
      "10 received a reply (0 exactly our bytes back)",
  );
  const reset = await against("reset", closeHalfClose);
  assert.equal(reset.verdict, "FAIL");
  assert.match(reset.actual, /^0 ended with the server's FIN, 10 reset, 0 no FIN in time, /);
});

Deno.test({
  name:
    "close/half-close: a server that closes at accept sent nothing, whatever RST follows its FIN",
  ignore: !CAN_ISOLATE,
  async fn() {
    // Its own process, as a real server: its FIN leaves at accept, our
    // request then reaches its closed socket, which answers with an RST; on
    // the raw engine that RST is often there before our FIN (5 of 10), and
    // the session is still server-closed-first, with no reset counted.
    for (let round = 0; round < 3; round++) {
      const run = await synfinInNamespace({
        args: ["--case", "close/half-close", "--close-timeout", "300ms", "127.0.0.1:21500"],
        server: { kind: "closes-first", port: 21500 },
      });
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.match(
        run.stdout,
        /^INFO\s+MUST\s+close\/half-close\s+10 ended with the server's FIN, 0 reset, 0 no FIN in time, 0 other errors; 0 received a reply \(0 exactly our bytes back\): the server sent nothing$/m,
      );
      assertNoSocketsLeft(run);
    }
  },
});

Deno.test("close/half-close: a refused port is 10 other errors, not a pass", async () => {
  // A port nobody listens on: the server that was just there is gone.
  const server = await startReferenceServer("well-behaved");
  const target = server.target;
  await server[Symbol.asyncDispose]();
  const found = await runCase(target, closeHalfClose);
  assert.equal(found.verdict, "FAIL");
  assert.equal(
    found.actual,
    "0 ended with the server's FIN, 0 reset, 0 no FIN in time, 10 other errors; " +
      "0 received a reply (0 exactly our bytes back)",
  );
});

Deno.test("abort/survives-reset: 20 RSTs from the abort scenario, then 20 sessions served", async () => {
  const found = await against("well-behaved", abortSurvivesReset);
  assert.equal(found.verdict, "PASS", found.actual);
  assert.equal(
    found.actual,
    "20 connections aborted with RST; then 20 of 20 handshakes completed (clean 20)",
  );
});

Deno.test("abort/survives-reset: a server that resets at accept fails", async () => {
  const found = await against("resets-at-accept", abortSurvivesReset);
  assert.equal(found.verdict, "FAIL", found.actual);
  assert.match(found.actual, /; then 20 of 20 handshakes completed \(reset 20\)$/);
});

Deno.test("handshake/accepts: 20 handshakes of the half-close scenario within the bound", async () => {
  const found = await against("well-behaved", handshakeAccepts);
  assert.equal(found.verdict, "PASS", found.actual);
  assert.match(found.actual, /^20 of 20 completed \(p50 \S+, max \S+\)$/);
});
