/**
 * The HTML report's page: one self-contained document (inline CSS, inline
 * SVG, no script) whose Content-Security-Policy forbids every fetch, so a
 * report opened from a CI artifact loads nothing from anywhere; and the
 * pieces every report uses: sections, tables, the verdict banner.
 *
 * @module
 */

import { escapeXml } from "./html_axes.ts";

/**
 * Nothing may load: no script, no font, no image outside the document.
 * Inline styles are the only thing allowed.
 */
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1340px;padding:0 16px;color:#1a1a1a}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd}
.sub{color:#555;margin:0 0 16px}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f4f4f4}td.num{text-align:right;font-variant-numeric:tabular-nums}
.banner{padding:10px 14px;border-radius:6px;margin:12px 0;font-weight:600}
.banner ul{margin:4px 0 0;font-weight:400}
.good{background:#e3f4ea;border-left:6px solid #009e73}.bad{background:#fbe6dc;border-left:6px solid #d55e00}
.warn{background:#fdf3d7;border-left:6px solid #e69f00}.neutral{background:#eef1f5;border-left:6px solid #777}
.v-PASS{color:#007a55;font-weight:600}.v-FAIL{color:#b94600;font-weight:600}.v-WARN{color:#a36f00;font-weight:600}
.v-SKIP,.v-INFO{color:#555}
.charts{display:flex;flex-wrap:wrap;gap:16px}
figure.chart{flex:0 1 620px;min-width:0;margin:0;border:1px solid #ddd;border-radius:6px;padding:8px;background:#fff}
figcaption{font-weight:600;margin-bottom:4px}
.chart svg{display:block;max-width:100%;height:auto}
.chart .grid{stroke:#e4e4e4}.chart .tick{font-size:11px;fill:#444}.chart .axis{font-size:12px;fill:#222}
.chart .line{fill:none;stroke-width:2}.chart .empty{fill:#888;font-size:14px}
.legend{font-size:12px;display:flex;flex-wrap:wrap;gap:10px;margin-top:4px}
.swatch{display:inline-block;width:14px;height:10px;margin-right:4px;border:2px solid;vertical-align:middle}
.swatch.dashed{border-style:dashed;border-width:2px 0 0;height:0}
.note{font-size:12px;color:#555;margin:4px 0 0;max-width:640px}
details pre{background:#f7f7f7;padding:10px;overflow:auto;font-size:12px}
`;

/**
 * A whole report page.
 *
 * @example
 * ```ts
 * import { htmlDocument } from "./html_page.ts";
 * const page = htmlDocument({ title: "synfin load 127.0.0.1:8080", subtitle: "now", body: "<p>hi</p>" });
 * console.assert(page.startsWith("<!doctype html>") && page.includes("Content-Security-Policy"));
 * ```
 */
export function htmlDocument(
  { title, subtitle, body }: { title: string; subtitle: string; body: string },
): string {
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8">` +
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${escapeXml(title)}</title><style>${STYLE}</style></head>\n<body>` +
    `<h1>${escapeXml(title)}</h1><p class="sub">${escapeXml(subtitle)}</p>\n` +
    `${body}\n</body></html>\n`;
}

/**
 * A section with its heading; `id` names it for links and tests.
 *
 * @example
 * ```ts
 * import { section } from "./html_page.ts";
 * console.assert(section("latency", "Latency", "<p></p>").startsWith('<section id="latency">'));
 * ```
 */
export function section(id: string, title: string, inner: string): string {
  return `<section id="${escapeXml(id)}"><h2>${escapeXml(title)}</h2>${inner}</section>\n`;
}

/**
 * Charts side by side, wrapping on a narrow window.
 *
 * @example
 * ```ts
 * import { chartRow } from "./html_page.ts";
 * console.assert(chartRow(["<figure></figure>"]).startsWith('<div class="charts">'));
 * ```
 */
export function chartRow(charts: readonly string[]): string {
  return `<div class="charts">${charts.join("")}</div>`;
}

/** A table cell: text (escaped), a number (right-aligned), or text with a class. */
export type Cell = string | number | { text: string; class: string };

/**
 * A table with a header row (none when every heading is empty); each cell's text is escaped.
 *
 * @example
 * ```ts
 * import { table } from "./html_page.ts";
 * const html = table(["case", "verdict"], [["a/b", { text: "PASS", class: "v-PASS" }]]);
 * console.assert(html.includes('<td class="v-PASS">PASS</td>'));
 * ```
 */
export function table(head: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const cell = (c: Cell) =>
    typeof c === "number"
      ? `<td class="num">${c.toLocaleString("en-US")}</td>`
      : typeof c === "string"
      ? `<td>${escapeXml(c)}</td>`
      : `<td class="${escapeXml(c.class)}">${escapeXml(c.text)}</td>`;
  const header = head.some((h) => h !== "")
    ? `<thead><tr>${head.map((h) => `<th>${escapeXml(h)}</th>`).join("")}</tr></thead>`
    : "";
  return `<table>${header}<tbody>${rows.map((r) => `<tr>${r.map(cell).join("")}</tr>`).join("")}` +
    `</tbody></table>`;
}

/** How a verdict banner looks: passed, failed, a warning, or neither. */
export type Tone = "good" | "bad" | "warn" | "neutral";

/**
 * The verdict in one line, with its reasons under it.
 *
 * @example
 * ```ts
 * import { verdictBanner } from "./html_page.ts";
 * const html = verdictBanner("bad", "FAIL", ["3 sessions were reset"]);
 * console.assert(html.includes('class="banner bad"') && html.includes("<li>3 sessions"));
 * ```
 */
export function verdictBanner(tone: Tone, headline: string, reasons: readonly string[]): string {
  const list = reasons.length
    ? `<ul>${reasons.map((r) => `<li>${escapeXml(r)}</li>`).join("")}</ul>`
    : "";
  return `<div class="banner ${tone}" data-verdict="${escapeXml(headline)}">` +
    `${escapeXml(headline)}${list}</div>`;
}

/**
 * The text report, folded: everything the terminal shows, for what the
 * charts and tables leave out.
 *
 * @example
 * ```ts
 * import { textDetails } from "./html_page.ts";
 * console.assert(textDetails("Text report", "a < b").includes("a &lt; b"));
 * ```
 */
export function textDetails(summary: string, text: string): string {
  return `<details><summary>${escapeXml(summary)}</summary><pre>${escapeXml(text)}</pre></details>`;
}
