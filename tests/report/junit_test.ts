import assert from "node:assert/strict";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import type { CaseResult } from "../../lib/suite/result.ts";
import { renderJUnit } from "../../lib/report/junit.ts";
import {
  evaluateThresholds,
  parseThreshold,
  type ThresholdResult,
} from "../../lib/suite/threshold.ts";

// deno-lint-ignore no-explicit-any
type Node = Record<string, any>;

const NASTY = `reset <&"'> after\n12 of 20\tsessions\r`;

function cases(): CaseResult[] {
  return [
    {
      id: "close/answers-fin",
      severity: "MUST",
      requirement: "The server answers our FIN with its FIN",
      verdict: "FAIL",
      expected: "a FIN within 2s",
      actual: NASTY,
      durationMs: 2010,
    },
    {
      id: "close/no-reset",
      severity: "MUST",
      requirement: "The server does not reset an idle connection",
      verdict: "PASS",
      expected: "no RST",
      actual: "0 of 20 sessions reset",
      durationMs: 500,
    },
    {
      id: "handshake/backlog",
      severity: "SHOULD",
      requirement: "The server accepts 100 connections at once",
      verdict: "WARN",
      expected: "100 accepted",
      actual: "93 accepted, 7 SYN retransmits",
      durationMs: 1500,
    },
    {
      id: "close/linger-zero",
      severity: "SHOULD",
      requirement: "The server closes cleanly after a half-close",
      verdict: "SKIP",
      expected: "a FIN",
      actual: "",
      reason: "needs CAP_NET_RAW & <root>",
      durationMs: 0,
    },
    {
      id: "handshake/syn-rtt",
      severity: "INFO",
      requirement: "Handshake round trip \u0000\u001b\uFFFE\uD800 (control characters)",
      verdict: "INFO",
      expected: "n/a",
      actual: "p50 30us",
      durationMs: 12,
    },
  ];
}

function thresholds(): ThresholdResult[] {
  const metrics = new Map([
    ["handshake.p99", { kind: "duration" as const, value: 7200 }],
    ["outcome.reset", { kind: "share" as const, value: 5, total: 1000 }],
  ]);
  return evaluateThresholds(
    ["handshake.p99<5ms", "outcome.reset<1%", "server.closeWait==0"].map(parseThreshold),
    metrics,
  );
}

function parse(xml: string): Node {
  assert.equal(XMLValidator.validate(xml), true, "well-formed XML");
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: "",
    parseAttributeValue: false,
    parseTagValue: false,
    trimValues: false,
    processEntities: true,
    htmlEntities: true,
    isArray: (name) => ["testsuite", "testcase"].includes(name),
  });
  return parser.parse(xml);
}

function suite(root: Node, name: string): Node {
  const found = (root.testsuites.testsuite as Node[]).find((s) => s.name === name);
  assert.ok(found, `suite ${name}`);
  return found;
}

function testcase(root: Node, suiteName: string, name: string): Node {
  const found = (suite(root, suiteName).testcase as Node[]).find((c) => c.name === name);
  assert.ok(found, `case ${name}`);
  return found;
}

Deno.test("renderJUnit makes one suite per case group plus one for thresholds", async (t) => {
  const xml = renderJUnit({
    target: "127.0.0.1:8080",
    cases: cases(),
    thresholds: thresholds(),
    timestamp: "2024-01-02T03:04:05.678Z",
  });
  const root = parse(xml);

  await t.step("the root counts everything", () => {
    assert.ok(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n'));
    const all = root.testsuites;
    assert.equal(all.name, "synfin 127.0.0.1:8080");
    assert.equal(all.tests, "8");
    assert.equal(all.failures, "3"); // 1 case, 2 thresholds
    assert.equal(all.skipped, "1");
    assert.equal(all.errors, "0");
    assert.equal(all.time, "4.022");
    assert.equal(all.timestamp, "2024-01-02T03:04:05.678Z");
  });

  await t.step("suites in order of first appearance, with their counts", () => {
    const suites = root.testsuites.testsuite as Node[];
    assert.deepEqual(
      suites.map((s) => [s.name, s.tests, s.failures, s.skipped, s.time, s.testcase.length]),
      [
        ["close", "3", "1", "1", "2.510", 3],
        ["handshake", "2", "0", "0", "1.512", 2],
        ["thresholds", "3", "2", "0", "0.000", 3],
      ],
    );
    for (const s of suites) assert.equal(s.timestamp, "2024-01-02T03:04:05.678Z");
  });

  await t.step("a failure carries the actual value and the severity, text intact", () => {
    const failed = testcase(root, "close", "close/answers-fin");
    assert.equal(failed.classname, "synfin.close");
    assert.equal(failed.time, "2.010");
    assert.equal(failed.failure.message, NASTY);
    assert.equal(failed.failure.type, "MUST");
    assert.equal(
      failed.failure["#text"],
      "requirement (MUST): The server answers our FIN with its FIN\n" +
        `expected: a FIN within 2s\nactual: ${NASTY}`,
    );
    assert.equal(failed["system-out"], undefined);
  });

  await t.step("attributes keep newlines and tabs as references", () => {
    // A conforming parser turns a raw newline in an attribute into a space;
    // not every parser does, so check the bytes too.
    assert.ok(
      xml.includes(
        `<failure message="reset &lt;&amp;&quot;&apos;&gt; after&#10;12 of 20&#9;sessions&#13;" ` +
          `type="MUST">`,
      ),
    );
    assert.ok(
      xml.includes("actual: reset &lt;&amp;\"'&gt; after\n12 of 20\tsessions&#13;</failure>"),
    );
  });

  await t.step("a skip carries the reason and is not a failure", () => {
    const skipped = testcase(root, "close", "close/linger-zero");
    assert.equal(skipped.skipped.message, "needs CAP_NET_RAW & <root>");
    assert.equal(skipped.failure, undefined);
  });

  await t.step("PASS, WARN and INFO pass, with the verdict in system-out", () => {
    const warned = testcase(root, "handshake", "handshake/backlog");
    assert.equal(warned.classname, "synfin.handshake");
    assert.equal(warned.failure, undefined);
    assert.equal(
      warned["system-out"],
      "verdict: WARN\nrequirement (SHOULD): The server accepts 100 connections at once\n" +
        "expected: 100 accepted\nactual: 93 accepted, 7 SYN retransmits",
    );
    const passed = testcase(root, "close", "close/no-reset");
    assert.equal(passed.failure, undefined);
    assert.match(passed["system-out"], /^verdict: PASS\n/);
  });

  await t.step("characters XML 1.0 cannot carry are dropped", () => {
    const info = testcase(root, "handshake", "handshake/syn-rtt");
    assert.equal(info.failure, undefined);
    assert.equal(
      info["system-out"].split("\n")[1],
      "requirement (INFO): Handshake round trip  (control characters)",
    );
    for (const char of ["\u0000", "\u001b", "\uFFFE"]) {
      assert.equal(xml.includes(char), false, JSON.stringify(char));
    }
    assert.equal(/[\uD800-\uDFFF]/.test(xml), false, "lone surrogate");
  });

  await t.step("each threshold is a test case named by its expression", () => {
    const over = testcase(root, "thresholds", "handshake.p99<5ms");
    assert.equal(over.classname, "synfin.thresholds");
    assert.equal(over.failure.type, "threshold");
    assert.equal(over.failure.message, "handshake.p99 = 7.20ms, limit < 5ms: over by 2.20ms");
    const ok = testcase(root, "thresholds", "outcome.reset<1%");
    assert.equal(ok.failure, undefined);
    assert.equal(ok["system-out"], "outcome.reset = 0.50% (5 of 1000), limit < 1%: ok");
    const missing = testcase(root, "thresholds", "server.closeWait==0");
    assert.match(missing.failure.message, /^no metric "server.closeWait"/);
  });
});

Deno.test("renderJUnit without thresholds, timestamp or cases", async (t) => {
  await t.step("no thresholds: no thresholds suite", () => {
    const root = parse(renderJUnit({ target: "[::1]:80", cases: cases(), thresholds: [] }));
    const suites = root.testsuites.testsuite as Node[];
    assert.deepEqual(suites.map((s) => s.name), ["close", "handshake"]);
    assert.equal(root.testsuites.tests, "5");
    assert.equal(root.testsuites.failures, "1");
    assert.equal(root.testsuites.timestamp, undefined);
    assert.equal(suites[0].timestamp, undefined);
  });
  await t.step("thresholds only", () => {
    const root = parse(renderJUnit({ target: "h:1", cases: [], thresholds: thresholds() }));
    assert.deepEqual((root.testsuites.testsuite as Node[]).map((s) => s.name), ["thresholds"]);
    assert.equal(root.testsuites.tests, "3");
    assert.equal(root.testsuites.failures, "2");
  });
  await t.step("nothing at all is still a valid document", () => {
    const root = parse(renderJUnit({ target: "h:1", cases: [], thresholds: [] }));
    assert.equal(root.testsuites.name, "synfin h:1");
    assert.equal(root.testsuites.tests, "0");
    assert.equal(root.testsuites.testsuite, undefined);
  });
});

Deno.test("renderJUnit escapes markup in every attribute and text", () => {
  const hostile = `x"/><evil a='1'>&amp;</evil>`;
  const xml = renderJUnit({
    target: hostile,
    cases: [{
      id: `close/${hostile}`,
      severity: "MUST",
      requirement: hostile,
      verdict: "SKIP",
      expected: hostile,
      actual: hostile,
      reason: hostile,
      durationMs: 1,
    }],
    thresholds: [],
    timestamp: hostile,
  });
  assert.equal(xml.includes("<evil"), false);
  const root = parse(xml);
  assert.equal(root.testsuites.name, `synfin ${hostile}`);
  assert.equal(root.testsuites.timestamp, hostile);
  const skipped = testcase(root, "close", `close/${hostile}`);
  assert.equal(skipped.skipped.message, hostile);
});

Deno.test("renderJUnit: a case cut by a tester limit is skipped with the limit, and keeps what it measured", () => {
  const limit = "synfin ran out of local ports (EADDRNOTAVAIL, 100 times): widen " +
    "net.ipv4.ip_local_port_range or lower --concurrency or --burst";
  const root = parse(renderJUnit({
    target: "127.0.0.1:80",
    cases: [{
      id: "load/steady",
      severity: "MUST",
      requirement: "A short steady load completes without failed sessions",
      verdict: "SKIP",
      expected: "0 failed sessions",
      actual: "200 sessions (3845/s), 0 failed: tester-limit 100, interrupted 100",
      reason: `tester limit: ${limit}`,
      testerLimit: limit,
      durationMs: 52,
    }],
    thresholds: [],
  }));
  const [testcase] = (root.testsuites.testsuite as Node[])[0].testcase as Node[];
  assert.equal(testcase.skipped.message, `tester limit: ${limit}`);
  assert.match(testcase["system-out"], /^actual: 200 sessions .*tester-limit 100/m);
  assert.equal(root.testsuites.skipped, "1");
  assert.equal(root.testsuites.failures, "0");
});
