/**
 * The `--tls` parts of a load's summary, metrics and text report: the `tls`
 * phase and the server's TLS closes (close_notify or a bare FIN).
 */
import assert from "node:assert/strict";
import { metricsFromLoadSummary } from "../../lib/suite/metrics.ts";
import { summarizeLoad } from "../../lib/census/load_summary.ts";
import { evaluateThresholds } from "../../lib/suite/threshold.ts";
import { parseKnownThreshold } from "../../lib/suite/threshold.ts";
import { renderTextReport } from "../../lib/report/load_text.ts";
import { DEFAULT_SESSION_OPTIONS } from "../../lib/engine/session.ts";
import type { SessionRecord } from "../../lib/engine/session_record.ts";
import { loadResult, repeat, tallyOf } from "../support/load_fixtures.ts";

const clean: SessionRecord = {
  outcome: "clean",
  phase: "close",
  handshakeUs: 40,
  tlsUs: 900,
  closeUs: 80,
  bytesReceived: 0,
  errors: [],
};

function tlsSummary() {
  const tally = tallyOf([
    ...repeat(30, { ...clean, tlsClose: "closeNotify" }),
    ...repeat(10, { ...clean, tlsClose: "bareFin" }),
  ]);
  const session = { ...DEFAULT_SESSION_OPTIONS, tls: {} };
  return summarizeLoad(loadResult(tally, { session }));
}

Deno.test("tls summary: the tls phase and the TLS closes", () => {
  const summary = tlsSummary();
  assert.equal(summary.phases.tls.count, 40);
  assert.equal(summary.phases.tls.p50Us, 900);
  assert.deepEqual(summary.tls, { closeNotify: 30, bareFin: 10 });
  // Without --tls there is no tls key, and the phase counts 0.
  const plain = summarizeLoad(loadResult(tallyOf(repeat(3, { ...clean, tlsUs: undefined }))));
  assert.equal(plain.tls, undefined);
  assert.equal(plain.phases.tls.count, 0);
});

Deno.test("tls metrics: tls.p99 a duration, tls.bareFin a share of the TLS closes", () => {
  const metrics = metricsFromLoadSummary(tlsSummary());
  assert.deepEqual(metrics.get("tls.p99"), { kind: "duration", value: 900 });
  assert.deepEqual(metrics.get("tls.bareFin"), { kind: "share", value: 10, total: 40 });
  assert.deepEqual(metrics.get("tls.closeNotify"), { kind: "share", value: 30, total: 40 });
  const results = evaluateThresholds(
    ["tls.bareFin==0", "tls.bareFin<30%", "tls.p99<1ms"].map(parseKnownThreshold),
    metrics,
  );
  assert.deepEqual(results.map((r) => r.passed), [false, true, true]);
});

Deno.test("tls text: the tls handshake row and the TLS close line, only with --tls", () => {
  const text = renderTextReport(tlsSummary());
  assert.match(text, /^tls handshake\s+40\s/m);
  assert.match(text, /TLS close: 30 with close_notify, 10 bare FIN without it/);
  assert.match(text, /tls handshake latency/);
  const plain = renderTextReport(
    summarizeLoad(loadResult(tallyOf(repeat(3, { ...clean, tlsUs: undefined })))),
  );
  assert.doesNotMatch(plain, /TLS close|tls handshake/);
});

Deno.test("tls text: a TLS code in the errors table comes with its words", () => {
  const failed: SessionRecord = {
    outcome: "error",
    phase: "tls",
    errno: "ETLSCERT",
    handshakeUs: 40,
    bytesReceived: 0,
    errors: [{ phase: "tls", operation: "connect", errno: "ETLSCERT" }],
  };
  const session = { ...DEFAULT_SESSION_OPTIONS, tls: {} };
  const text = renderTextReport(summarizeLoad(loadResult(tallyOf(repeat(2, failed)), { session })));
  assert.match(text, /tls\s+ETLSCERT\s+2\s+the server's certificate was not accepted/);
  // Nothing closed over TLS: no TLS close line.
  assert.doesNotMatch(text, /TLS close/);
});
