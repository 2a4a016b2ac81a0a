/**
 * Opens pages in Debian's Chromium with playwright-core and tells what each
 * did, as JSON on stdout: the requests it made, its console errors and
 * warnings, and each chart figure as laid out. Run by
 * tests/report/html_browser_test.ts in a process of its own, with
 * `deno run -A`: playwright-core reads /proc/sys/fs/binfmt_misc on import
 * (its WSL check), which Deno grants only with every permission, while the
 * tests run with the `test` set.
 *
 * Input (stdin): `{ "pages": [{ "url" | "html", "screenshot"?, "viewport"? }] }`.
 */
import { chromium } from "playwright-core";

/** Where Debian's `chromium` package puts the browser. */
const CHROMIUM = "/usr/bin/chromium";

/**
 * As root in a closed network: no sandbox (it needs user namespaces as
 * non-root), and none of Chromium's own background connections, which this
 * network refuses many at a time. playwright-core gives each launch a fresh
 * profile directory of its own.
 */
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** One page to open: a file's URL or markup, and where to save its screenshot. */
export interface PageVisit {
  /** A `file://` URL to open, as a user opens a report. */
  url?: string;
  /** Markup to open instead (the detector's own check). */
  html?: string;
  /** Screenshots to save: the whole page, and the first screen. */
  screenshot?: { fullPage?: string; viewport?: string };
}

/** What a page did while it loaded. */
export interface Visit {
  /** Every request the page made, the report's own file:// URL included. */
  requests: string[];
  /** Console errors and warnings, and uncaught page errors. */
  problems: string[];
  /** Each chart figure: its ID, the SVG's laid-out size, the marks drawn with an area. */
  charts: { id: string; width: number; height: number; marks: number }[];
}

/** Runs in the page: the charts as laid out. */
const MEASURE_CHARTS = `[...document.querySelectorAll("figure.chart")].map((figure) => {
  const box = figure.querySelector("svg")?.getBoundingClientRect();
  const marks = [...figure.querySelectorAll(".mark")].filter((mark) => {
    const b = mark.getBoundingClientRect();
    return b.width > 0 && b.height > 0;
  }).length;
  return { id: figure.dataset.chart, width: box?.width ?? 0, height: box?.height ?? 0, marks };
})`;

if (import.meta.main) {
  const { pages } = JSON.parse(await new Response(Deno.stdin.readable).text()) as {
    pages: PageVisit[];
  };
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const visits: Visit[] = [];
  try {
    for (const visit of pages) {
      const context = await browser.newContext({ viewport: { width: 1360, height: 1500 } });
      const requests: string[] = [];
      const problems: string[] = [];
      // Anything but a file is refused; the listener below counts it either way.
      await context.route(/^(?!file:)/, (route) => route.abort());
      const page = await context.newPage();
      page.on("request", (request) => requests.push(request.url()));
      page.on("console", (message) => {
        const type = message.type();
        if (type === "error" || type === "warning") problems.push(`${type}: ${message.text()}`);
      });
      page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
      if (visit.url) await page.goto(visit.url, { waitUntil: "load" });
      else await page.setContent(visit.html ?? "", { waitUntil: "load" });
      const charts = await page.evaluate(MEASURE_CHARTS) as Visit["charts"];
      const shots = visit.screenshot ?? {};
      if (shots.fullPage) await page.screenshot({ path: shots.fullPage, fullPage: true });
      if (shots.viewport) await page.screenshot({ path: shots.viewport });
      await context.close();
      visits.push({ requests, problems, charts });
    }
  } finally {
    await browser.close();
  }
  console.log(JSON.stringify(visits));
}
