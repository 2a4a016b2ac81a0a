/**
 * What every chart of the HTML report shares: the box and its margins,
 * the palette, scales (linear, or logarithmic for latencies that span 30 us
 * to seconds) with their ticks, the y axis and the x title, and the
 * escaping of every text it draws.
 *
 * @module
 */

/** One axis of a chart. */
export interface Axis {
  /** The axis title, with its unit, e.g. `handshake (us)`. */
  label: string;
  /**
   * Logarithmic scale (non-positive values are left out).
   *
   * @default {false}
   */
  log?: boolean;
  /**
   * Tick label text.
   *
   * @default the number, rounded
   */
  format?: (value: number) => string;
  /**
   * Forced tick positions (inside the data range), e.g. the percentiles of a
   * percentile curve.
   *
   * @default powers of ten on a log axis, 1-2-5 steps on a linear one
   */
  ticks?: readonly number[];
}

/** Line and bar colours, in order: distinct for colour-blind readers (Okabe-Ito). */
export const PALETTE: readonly string[] = [
  "#0072b2",
  "#e69f00",
  "#009e73",
  "#d55e00",
  "#cc79a7",
  "#56b4e9",
  "#f0e442",
  "#000000",
  "#999999",
];

/**
 * Every chart's box, in SVG units: its width and height, and the margins
 * around the plot area that hold the ticks and axis titles.
 *
 * @example
 * ```ts
 * import { CHART_BOX } from "./html_axes.ts";
 * console.assert(CHART_BOX.width - CHART_BOX.margin.left - CHART_BOX.margin.right > 400);
 * ```
 */
export const CHART_BOX = Object.freeze({
  width: 600,
  height: 260,
  margin: Object.freeze({ left: 64, right: 28, top: 12, bottom: 44 }),
});

const { width: WIDTH, height: HEIGHT, margin: MARGIN } = CHART_BOX;

/**
 * Escapes text for HTML and SVG content and attribute values.
 *
 * @example
 * ```ts
 * import { escapeXml } from "./html_axes.ts";
 * console.assert(escapeXml(`<a href="x">&</a>`) === "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;");
 * ```
 */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * A duration in microseconds in the unit that reads best: `35us`, `1.2ms`, `3.40s`.
 *
 * @example
 * ```ts
 * import { formatUs } from "./html_axes.ts";
 * console.assert(formatUs(35) === "35us" && formatUs(1200) === "1.2ms" && formatUs(3_400_000) === "3.4s");
 * ```
 */
export function formatUs(us: number): string {
  const trim = (n: number) => String(Number(n.toPrecision(3)));
  if (us < 1000) return `${trim(us)}us`;
  if (us < 1_000_000) return `${trim(us / 1000)}ms`;
  return `${trim(us / 1_000_000)}s`;
}

/** A data-to-pixel mapping and the tick values it chose. */
export interface Scale {
  /** The pixel of a value. */
  (value: number): number;
  /** Where ticks go, in data values. */
  ticks: number[];
}

/**
 * Maps the data's range onto `[from, to]` pixels, with ticks: on a log
 * axis from the power of ten below the smallest positive value to the one
 * above the largest, else from 0 (or the smallest value, when negative)
 * to the largest, on 1-2-5 steps.
 *
 * @example
 * ```ts
 * import { scaleOf } from "./html_axes.ts";
 * const y = scaleOf([3, 700], { label: "us", log: true }, 200, 0);
 * console.assert(y(1) === 200 && y(1000) === 0);
 * // Each decade takes the same height.
 * console.assert(Math.abs((y(10) - y(100)) - (y(100) - y(1000))) < 1e-9);
 * console.assert(scaleOf([0, 7], { label: "n" }, 0, 100).ticks.join() === "0,2,4,6,8");
 * ```
 */
export function scaleOf(values: readonly number[], axis: Axis, from: number, to: number): Scale {
  const data = values.filter((v) => Number.isFinite(v) && (!axis.log || v > 0));
  let lo: number, hi: number, ticks: number[];
  if (axis.log) {
    lo = data.length ? 10 ** Math.floor(Math.log10(Math.min(...data))) : 1;
    hi = data.length ? 10 ** Math.ceil(Math.log10(Math.max(...data))) : 10;
    if (hi <= lo) hi = lo * 10;
    ticks = [];
    const decades = Math.round(Math.log10(hi / lo));
    for (let t = lo; t <= hi * 1.001; t *= 10) {
      ticks.push(t);
      if (decades <= 2 && t < hi) ticks.push(t * 2, t * 5);
    }
  } else {
    lo = Math.min(0, ...data);
    hi = Math.max(0, ...data);
    if (hi === lo) hi = lo + 1;
    const rough = (hi - lo) / 5;
    const power = 10 ** Math.floor(Math.log10(rough));
    const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough)!;
    lo = Math.floor(lo / step) * step;
    hi = Math.ceil(hi / step) * step;
    ticks = [];
    for (let t = lo; t <= hi + step / 2; t += step) ticks.push(Number(t.toPrecision(12)));
  }
  if (axis.ticks) ticks = axis.ticks.filter((t) => t >= lo && t <= hi);
  const f = axis.log ? Math.log10 : (v: number) => v;
  const [a, b] = [f(lo), f(hi)];
  const scale = ((value: number) => from + ((f(value) - a) / (b - a)) * (to - from)) as Scale;
  scale.ticks = ticks;
  return scale;
}

const px = (n: number) => n.toFixed(1);

/**
 * The y axis: a grid line and a label per tick, and the axis title.
 *
 * @example
 * ```ts
 * import { scaleOf, yAxisMarkup } from "./html_axes.ts";
 * const y = scaleOf([0, 10], { label: "n" }, 216, 12);
 * console.assert(yAxisMarkup(y, { label: "sessions" }).includes(">sessions</text>"));
 * ```
 */
export function yAxisMarkup(y: Scale, axis: Axis): string {
  const format = axis.format ?? ((v: number) => String(Number(v.toPrecision(4))));
  const right = WIDTH - MARGIN.right;
  const grid = y.ticks.map((t) =>
    `<line class="grid" x1="${MARGIN.left}" x2="${right}" y1="${px(y(t))}" y2="${px(y(t))}"/>` +
    `<text class="tick" x="${MARGIN.left - 6}" y="${px(y(t) + 4)}" text-anchor="end">` +
    `${escapeXml(format(t))}</text>`
  ).join("");
  const middle = (MARGIN.top + HEIGHT - MARGIN.bottom) / 2;
  return grid + `<text class="axis" transform="translate(14 ${px(middle)}) rotate(-90)" ` +
    `text-anchor="middle">${escapeXml(axis.label)}</text>`;
}

/**
 * The x axis title, under the plot.
 *
 * @example
 * ```ts
 * import { xTitle } from "./html_axes.ts";
 * console.assert(xTitle("second").includes(">second</text>"));
 * ```
 */
export function xTitle(label: string): string {
  const middle = (MARGIN.left + WIDTH - MARGIN.right) / 2;
  return `<text class="axis" x="${px(middle)}" y="${HEIGHT - 6}" text-anchor="middle">` +
    `${escapeXml(label)}</text>`;
}
