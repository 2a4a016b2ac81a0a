/**
 * The HTML report in a real browser: the CLI runs `load`, `check` and
 * `backlog` with `--html` against a reference server, and Debian's Chromium,
 * driven by playwright-core (its protocol client only: the browser is the
 * system's, never a download), opens each file as a user would, from a
 * `file://` URL. Each chart must be laid out with a non-zero size and marks
 * drawn, with no console error and no network request; a screenshot of each
 * page is kept in tests/artifacts/ (SYNFIN_UPDATE_SCREENSHOT=1 also writes
 * the README's docs/report.png).
 *
 * The browser is driven from html_browser_driver.ts in a process of its own
 * (`deno run -A`: see there why). Skipped without /usr/bin/chromium, unless
 * SYNFIN_REQUIRE_PEERS=1 (CI, which installs it), where that is a failure.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import type { Visit } from "./html_browser_driver.ts";
import { startReferenceServer } from "../../lib/testing/reference_servers.ts";
import { CHROMIUM, HAVE_CHROMIUM, visitPages } from "../support/browser.ts";
import { synfin } from "../support/cli.ts";

const REQUIRED = Deno.env.get("SYNFIN_REQUIRE_PEERS") === "1";
const ARTIFACTS = fileURLToPath(new URL("../artifacts/", import.meta.url));
const DOCS_SCREENSHOT = fileURLToPath(new URL("../../docs/report.png", import.meta.url));

function assertRendered(seen: Visit, url: string, expected: readonly string[]): void {
  assert.deepEqual(seen.problems, [], "no console error or warning");
  assert.deepEqual(seen.requests, [url], "no request but the report's own file");
  const ids = seen.charts.map((c) => c.id);
  for (const id of expected) assert.ok(ids.includes(id), `chart ${id} missing from ${ids}`);
  for (const chart of seen.charts) {
    assert.ok(
      chart.width > 100 && chart.height > 100,
      `${chart.id} laid out: ${JSON.stringify(chart)}`,
    );
    assert.ok(chart.marks > 0, `${chart.id} drew data: ${JSON.stringify(chart)}`);
  }
}

Deno.test({
  name: "html report: load, check and backlog reports render in headless Chromium",
  ignore: !HAVE_CHROMIUM && !REQUIRED,
  async fn() {
    assert.ok(HAVE_CHROMIUM, `${CHROMIUM} is required (SYNFIN_REQUIRE_PEERS=1) but not installed`);
    await using server = await startReferenceServer("well-behaved");
    const dir = await Deno.makeTempDir();
    await Deno.mkdir(ARTIFACTS, { recursive: true });
    const reports = {
      load: ["load", "--stage", "1s:8", "--stage", "1s:16", "--hold", "20ms", "--drain", "1s"],
      check: ["check", "--case", "handshake/accepts", "--case", "close/", "--case", "load/steady"]
        .concat(["-d", "1s", "--drain", "1s"]),
      backlog: ["backlog", "--burst", "8..32", "--no-refine", "--hold", "50ms", "--drain", "500ms"],
    };
    try {
      for (const [name, args] of Object.entries(reports)) {
        const run = await synfin([...args, "--html", `${dir}/${name}.html`, server.target.label]);
        assert.equal(run.code, 0, `${name}: ${run.stdout}${run.stderr}`);
      }
      const url = (name: string) => `file://${dir}/${name}.html`;
      const shots = (name: string) => ({
        fullPage: `${ARTIFACTS}report-${name}.png`,
        ...(name === "load" && Deno.env.get("SYNFIN_UPDATE_SCREENSHOT") === "1" &&
          { viewport: DOCS_SCREENSHOT }),
      });
      const [control, load, check, backlog] = await visitPages([
        // A page that does fetch: the driver must see it, or the checks below prove nothing.
        // And a chart with nothing drawn, which the checks must tell from a drawn one.
        {
          html: `<img src="http://127.0.0.1:9/x.png"><figure class="chart" data-chart="empty">` +
            `<svg width="600" height="260"><rect class="mark" width="0" height="9"/></svg></figure>`,
        },
        ...["load", "check", "backlog"].map((name) => ({
          url: url(name),
          screenshot: shots(name),
        })),
      ]);
      assert.ok(
        control.requests.some((u) => u.startsWith("http://127.0.0.1:9/")),
        `${control.requests}`,
      );
      assert.ok(control.problems.length > 0, "the refused image is a console error");
      assert.deepEqual(control.charts, [{ id: "empty", width: 600, height: 260, marks: 0 }]);

      assertRendered(load, url("load"), [
        "sessions-over-time",
        "percentiles",
        "histogram-handshake",
        "histogram-close",
        "sockets-server",
        "sockets-tester",
      ]);
      assertRendered(check, url("check"), [
        "steady-percentiles",
        "steady-histogram-handshake",
        "lifecycle-sockets-server",
      ]);
      const html = await Deno.readTextFile(`${dir}/check.html`);
      assert.match(html, /<td>load\/steady<\/td><td>MUST<\/td><td class="v-PASS">PASS<\/td>/);
      assertRendered(backlog, url("backlog"), ["backlog-sweep"]);
      for (const name of ["load", "check", "backlog"]) {
        assert.ok((await Deno.stat(`${ARTIFACTS}report-${name}.png`)).size > 10_000, name);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
