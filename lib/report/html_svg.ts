/**
 * Server-rendered SVG charts for the HTML report: a line chart and a stacked
 * bar chart, with linear or logarithmic axes. Pure functions from numbers to
 * markup, so the report needs no script and no network: it opens the same
 * in a browser with JavaScript off, a mail client or a CI artifact viewer.
 *
 * Every chart is a `<figure class="chart" data-chart="ID">` whose drawn data
 * carry the class `mark`: the browser test finds each chart by its ID and
 * checks that it drew something.
 *
 * @module
 */

import {
  type Axis,
  CHART_BOX,
  escapeXml,
  PALETTE,
  type Scale,
  scaleOf,
  xTitle,
  yAxisMarkup,
} from "./html_axes.ts";

export type { Axis };

/** One line of a {@link lineChart}: a value per x position, `null` for a gap. */
export interface LineSeries {
  /** The legend name. */
  name: string;
  /** One value per x position. */
  values: readonly (number | null)[];
  /**
   * Line colour.
   *
   * @default the next colour of the palette
   */
  color?: string;
  /**
   * Drawn dashed (a bound or a reference rather than a measurement).
   *
   * @default {false}
   */
  dashed?: boolean;
}

/** One layer of a {@link barChart}'s stacked bars. */
export interface BarStack {
  /** The legend name. */
  name: string;
  /** One count per bar. */
  values: readonly number[];
  /**
   * Fill colour.
   *
   * @default the next colour of the palette
   */
  color?: string;
}

/** What every chart has: its ID, its title and a note under it. */
export interface ChartBase {
  /** The chart's `data-chart` ID, unique in the page. */
  id: string;
  /** The caption. */
  title: string;
  /** A line under the chart saying how to read it. */
  note?: string;
}

/** A {@link lineChart}: x positions shared by every series. */
export interface LineChartSpec extends ChartBase {
  /** The x positions, ascending. */
  x: readonly number[];
  /** The x axis. */
  xAxis: Axis;
  /** The y axis. */
  yAxis: Axis;
  /** The lines. */
  series: readonly LineSeries[];
}

/** A {@link barChart}: one bar per label, its stacks on top of each other. */
export interface BarChartSpec extends ChartBase {
  /** One label per bar. */
  labels: readonly string[];
  /** The x axis title. */
  xLabel: string;
  /** The y axis. */
  yAxis: Axis;
  /** The stacked layers, bottom first. */
  stacks: readonly BarStack[];
  /** Lines over the bars, one value per bar, on the same y axis. */
  lines?: readonly LineSeries[];
  /**
   * Labels sit at each bar's left edge rather than under its middle: a
   * histogram's bucket edges.
   *
   * @default {false}
   */
  edgeLabels?: boolean;
}

const { width: WIDTH, height: HEIGHT, margin: MARGIN } = CHART_BOX;
const px = (n: number) => n.toFixed(1);

function frame(spec: ChartBase, inner: string, legend: string[]): string {
  const swatches = legend.join("");
  return `<figure class="chart" data-chart="${escapeXml(spec.id)}">` +
    `<figcaption>${escapeXml(spec.title)}</figcaption>` +
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" ` +
    `width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${escapeXml(spec.title)}">` +
    inner + `</svg>` +
    (swatches ? `<div class="legend">${swatches}</div>` : "") +
    (spec.note ? `<p class="note">${escapeXml(spec.note)}</p>` : "") + `</figure>`;
}

function swatch(name: string, color: string, dashed = false): string {
  return `<span class="key"><span class="swatch${dashed ? " dashed" : ""}" ` +
    `style="border-color:${color};background:${dashed ? "none" : color}"></span>` +
    `${escapeXml(name)}</span>`;
}

function empty(spec: ChartBase): string {
  return frame(
    spec,
    `<text class="empty" x="${WIDTH / 2}" y="${HEIGHT / 2}" text-anchor="middle">no data</text>`,
    [],
  );
}

/** Path segments through the points, broken at gaps and at values the scale cannot place. */
function pathOf(points: [number, number | null][], x: Scale, y: Scale, log: boolean): string[] {
  const runs: string[] = [];
  let run: string[] = [];
  for (const [xv, yv] of points) {
    if (yv === null || !Number.isFinite(yv) || (log && yv <= 0)) {
      if (run.length) runs.push(run.join(" "));
      run = [];
      continue;
    }
    run.push(`${run.length ? "L" : "M"}${px(x(xv))} ${px(y(yv))}`);
  }
  if (run.length) runs.push(run.join(" "));
  return runs;
}

function linesMarkup(
  series: readonly LineSeries[],
  xs: readonly number[],
  x: Scale,
  y: Scale,
  log: boolean,
  colorOffset = 0,
): { markup: string; legend: string[] } {
  let markup = "";
  const legend: string[] = [];
  series.forEach((s, i) => {
    const color = s.color ?? PALETTE[(i + colorOffset) % PALETTE.length];
    const points = xs.map((xv, j): [number, number | null] => [xv, s.values[j] ?? null]);
    for (const d of pathOf(points, x, y, log)) {
      const single = !d.includes("L");
      markup += single
        ? `<circle class="mark" cx="${d.slice(1).split(" ")[0]}" cy="${d.split(" ")[1]}" ` +
          `r="3" fill="${color}"><title>${escapeXml(s.name)}</title></circle>`
        : `<path class="mark line" d="${d}" stroke="${color}"` +
          `${s.dashed ? ` stroke-dasharray="6 4"` : ""}><title>${escapeXml(s.name)}</title></path>`;
    }
    legend.push(swatch(s.name, color, s.dashed));
  });
  return { markup, legend };
}

/**
 * A line chart: one line per series over shared x positions, on linear or
 * log axes; "no data" when no series has a value.
 *
 * @example
 * ```ts
 * import { lineChart } from "./html_svg.ts";
 * const svg = lineChart({
 *   id: "demo",
 *   title: "Sockets",
 *   x: [0, 1, 2],
 *   xAxis: { label: "s" },
 *   yAxis: { label: "sockets" },
 *   series: [{ name: "ESTABLISHED", values: [0, 5, 2] }],
 * });
 * console.assert(svg.includes('data-chart="demo"') && svg.includes('class="mark line"'));
 * ```
 */
export function lineChart(spec: LineChartSpec): string {
  const ys = spec.series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const placeable = ys.filter((v) => Number.isFinite(v) && (!spec.yAxis.log || v > 0));
  if (spec.x.length === 0 || placeable.length === 0) return empty(spec);
  const x = scaleOf(spec.x, spec.xAxis, MARGIN.left, WIDTH - MARGIN.right);
  const y = scaleOf(placeable, spec.yAxis, HEIGHT - MARGIN.bottom, MARGIN.top);
  const xFormat = spec.xAxis.format ?? ((v: number) => String(Number(v.toPrecision(4))));
  const xTicks = x.ticks.map((t) =>
    `<text class="tick" x="${px(x(t))}" y="${HEIGHT - MARGIN.bottom + 16}" ` +
    `text-anchor="middle">${escapeXml(xFormat(t))}</text>`
  ).join("");
  const { markup, legend } = linesMarkup(spec.series, spec.x, x, y, spec.yAxis.log ?? false);
  return frame(
    spec,
    yAxisMarkup(y, spec.yAxis) + xTicks + xTitle(spec.xAxis.label) + markup,
    legend,
  );
}

/**
 * A stacked bar chart: one bar per label, each stack's count on top of the
 * ones below, optional lines over it; "no data" when every count is zero.
 * A non-zero count gets at least one pixel, so a single slow session in a
 * bucket of its own still shows.
 *
 * @example
 * ```ts
 * import { barChart } from "./html_svg.ts";
 * const svg = barChart({
 *   id: "outcomes",
 *   title: "Sessions per second",
 *   labels: ["0", "1"],
 *   xLabel: "second",
 *   yAxis: { label: "sessions" },
 *   stacks: [{ name: "clean", values: [10, 12] }, { name: "failed", values: [0, 1] }],
 * });
 * console.assert((svg.match(/<rect class="mark/g) ?? []).length === 3);
 * ```
 */
export function barChart(spec: BarChartSpec): string {
  const n = spec.labels.length;
  const totals = spec.labels.map((_, i) => spec.stacks.reduce((sum, s) => sum + s.values[i], 0));
  const lineValues = (spec.lines ?? []).flatMap((l) => l.values.filter((v) => v !== null));
  if (n === 0 || (totals.every((t) => t === 0) && lineValues.length === 0)) return empty(spec);
  const y = scaleOf(
    [...totals, ...lineValues as number[]],
    spec.yAxis,
    HEIGHT - MARGIN.bottom,
    MARGIN.top,
  );
  const slot = (WIDTH - MARGIN.left - MARGIN.right) / n;
  const barWidth = Math.max(1, slot * 0.8);
  const every = Math.ceil(n / Math.floor((WIDTH - MARGIN.left - MARGIN.right) / 48));
  let markup = "";
  const legend: string[] = [];
  const colors = spec.stacks.map((s, i) => s.color ?? PALETTE[i % PALETTE.length]);
  spec.stacks.forEach((s, k) => legend.push(swatch(s.name, colors[k])));
  const base = y(spec.yAxis.log ? y.ticks[0] : 0);
  for (let i = 0; i < n; i++) {
    const left = MARGIN.left + i * slot + (slot - barWidth) / 2;
    let sum = 0;
    spec.stacks.forEach((s, k) => {
      const count = s.values[i];
      if (count <= 0) return;
      const bottom = sum === 0 ? base : y(sum);
      sum += count;
      const top = Math.min(y(sum), bottom - 1);
      markup += `<rect class="mark bar" x="${px(left)}" y="${px(top)}" width="${px(barWidth)}" ` +
        `height="${px(bottom - top)}" fill="${colors[k]}"><title>` +
        `${escapeXml(`${spec.labels[i]}: ${s.name} ${count}`)}</title></rect>`;
    });
    if (i % every === 0) {
      const at = spec.edgeLabels ? MARGIN.left + i * slot : left + barWidth / 2;
      markup += `<text class="tick" x="${px(at)}" ` +
        `y="${HEIGHT - MARGIN.bottom + 16}" text-anchor="middle">` +
        `${escapeXml(spec.labels[i])}</text>`;
    }
  }
  if (spec.lines?.length) {
    const centers = spec.labels.map((_, i) => i);
    const x = ((i: number) => MARGIN.left + (i + 0.5) * slot) as Scale;
    x.ticks = [];
    const lines = linesMarkup(
      spec.lines,
      centers,
      x,
      y,
      spec.yAxis.log ?? false,
      spec.stacks.length,
    );
    markup += lines.markup;
    legend.push(...lines.legend);
  }
  return frame(spec, yAxisMarkup(y, spec.yAxis) + xTitle(spec.xLabel) + markup, legend);
}
