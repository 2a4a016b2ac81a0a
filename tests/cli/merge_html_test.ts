/**
 * `merge --html FILE`: the merged result as the same HTML report `load
 * --html` writes, self-contained, its charts drawn from the merged
 * histograms (the union's counts and percentiles), and, with Debian's
 * Chromium, laid out and drawn in a real browser (the driver of
 * tests/report/html_browser_test.ts).
 */
import assert from "node:assert/strict";
import type { LoadSummary } from "../../lib/census/load_summary.ts";
import { formatUs } from "../../lib/report/html_axes.ts";
import { HAVE_CHROMIUM, visitPages } from "../support/browser.ts";
import { synfin } from "../support/cli.ts";
import { twoSummaries } from "../support/summaries.ts";

Deno.test("merge --html: the load report of the merged result, self-contained, its charts of the union", async () => {
  const dir = await Deno.makeTempDir({ prefix: "synfin-merge-html-" });
  try {
    const [a, b] = await twoSummaries(dir);
    const html = `${dir}/merged.html`, json = `${dir}/merged.json`;
    const run = await synfin(["merge", a, b, "--html", html, "--json", json]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, "");
    const page = await Deno.readTextFile(html);
    const merged: LoadSummary = JSON.parse(await Deno.readTextFile(json));
    assert.equal(merged.sessions, 40);
    // Self-contained: no script, nothing fetched, the CSP that forbids it.
    assert.match(page, /^<!doctype html>/);
    assert.match(page, /http-equiv="Content-Security-Policy" content="default-src 'none'/);
    assert.doesNotMatch(page, /<script|<link|\b(src|href)="(https?:)?\/\//i);
    assert.match(page, /data-verdict="PASS"/);
    // Which summaries, in the report's own section.
    assert.match(page, /<section id="merged"><h2>Merged summaries<\/h2>/);
    for (const file of [a, b]) assert.ok(page.includes(`<td>${file}</td>`), file);
    // The load report's charts, of the merged counts and percentiles.
    for (
      const id of ["sessions-over-time", "percentiles", "histogram-handshake", "sockets-server"]
    ) {
      assert.match(
        page,
        new RegExp(`<figure class="chart" data-chart="${id}"><figcaption>[^<]+</figcaption><svg `),
        id,
      );
    }
    const { handshake } = merged.phases;
    assert.ok(page.includes("handshake: latency histogram (40 sessions)"));
    assert.ok(
      page.includes(`p50 ${formatUs(handshake.p50Us)}, p99 ${formatUs(handshake.p99Us)}`),
      "the merged histogram's percentiles",
    );
    assert.match(page, /<td>sessions<\/td><td>40 \(/);

    // A threshold failing on the merged result is the page's verdict too.
    const failing = `${dir}/failing.html`;
    const fail = await synfin(["merge", a, b, "--threshold", "sessions<40", "--html", failing]);
    assert.equal(fail.code, 1, fail.stderr);
    assert.match(
      await Deno.readTextFile(failing),
      /data-verdict="FAIL"[^<]*<ul><li>thresholds sessions&lt;40/,
    );

    if (HAVE_CHROMIUM) {
      const [seen] = await visitPages([{ url: `file://${html}` }]);
      assert.deepEqual(seen.problems, [], "no console error or warning");
      assert.deepEqual(seen.requests, [`file://${html}`], "no request but its own file");
      for (const chart of seen.charts) {
        assert.ok(chart.width > 100 && chart.height > 100, `laid out: ${JSON.stringify(chart)}`);
      }
      // Drawn from the merged data (a 0.1 s run leaves the server no socket to chart).
      for (const id of ["sessions-over-time", "percentiles", "histogram-handshake"]) {
        const chart = seen.charts.find((c) => c.id === id);
        assert.ok(chart && chart.marks > 0, `${id}: ${JSON.stringify(seen.charts)}`);
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("merge --html: stdout is no file, and an unwritable path is one line", async () => {
  const dir = await Deno.makeTempDir({ prefix: "synfin-merge-html-" });
  try {
    const [summary] = await twoSummaries(dir);
    const dash = await synfin(["merge", summary, "--html", "-"]);
    assert.equal(dash.code, 2, dash.stderr);
    assert.equal(
      dash.stderr,
      "synfin: --html writes a file: give a path (stdout carries the text or JSON report) " +
        "(see --help)\n",
    );
    assert.equal(dash.stdout, "");
    const missing = `${dir}/no/such/dir/merged.html`;
    const unwritable = await synfin(["merge", summary, "--html", missing]);
    assert.equal(unwritable.code, 2, unwritable.stderr);
    assert.equal(
      unwritable.stderr,
      `synfin: Cannot write --html ${missing}: no such file or directory (ENOENT); ` +
        "give a writable path\n",
    );
    // Checked before anything is merged or printed, as load checks its outputs.
    assert.equal(unwritable.stdout, "");
    const badJson = await synfin(["merge", summary, "--json", missing]);
    assert.equal(badJson.code, 2, badJson.stderr);
    assert.equal(badJson.stdout, "");
    assert.match(badJson.stderr, /^synfin: Cannot write --json [^\n]*: no such file or directory/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
