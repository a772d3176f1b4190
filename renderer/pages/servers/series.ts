// Chart data for one metric: the API's series (one per label set) as uPlot's aligned arrays, and
// live values appended as they arrive, the oldest dropped past the window.
import type { Output } from '../../../shared/contract/index.js';
import { seriesKey, type LiveValue } from '../../live/samples.js';

type ApiSeries = Output<'hostSeries'>['series'];

export interface ChartData {
  /** Stable order of the series (keys as in seriesKey). */
  keys: string[];
  labels: string[];
  /** [x seconds, y per series…] */
  data: [number[], ...(number | null)[][]];
}

export const seriesLabel = (labels: Record<string, string>) => {
  const parts = Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`);
  return parts.length ? parts.join(' ') : 'value';
};

export function toChartData(series: ApiSeries): ChartData {
  const sorted = [...series].sort((a, b) => seriesKey(a.metric, a.labels).localeCompare(seriesKey(b.metric, b.labels)));
  const xs = [...new Set(sorted.flatMap((s) => s.points.map((p) => p.ts)))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const ys = sorted.map((s) => {
    const col: (number | null)[] = new Array(xs.length).fill(null);
    for (const p of s.points) col[index.get(p.ts)!] = p.avg;
    return col;
  });
  return {
    keys: sorted.map((s) => seriesKey(s.metric, s.labels)),
    labels: sorted.map((s) => seriesLabel(s.labels)),
    data: [xs.map((x) => x / 1000), ...ys],
  };
}

/**
 * Appends the values of `metric` from one live batch as one new x, drops points before `fromMs`,
 * and caps the length at `maxPoints`. A label set seen for the first time becomes a new series.
 */
export function appendLive(cd: ChartData, metric: string, values: readonly LiveValue[], fromMs: number, maxPoints: number): ChartData {
  const mine = values.filter((v) => v.metric === metric);
  if (mine.length === 0) return cd;
  const ts = Math.max(...mine.map((v) => v.ts)) / 1000;
  const [xs0, ...ys0] = cd.data;
  if (xs0.length && ts <= xs0[xs0.length - 1]!) return cd; // older or same batch: already shown
  const keys = [...cd.keys];
  const labels = [...cd.labels];
  const ys = ys0.map((y) => [...y, null]);
  for (const v of mine) {
    const k = seriesKey(v.metric, v.labels);
    let i = keys.indexOf(k);
    if (i < 0) {
      i = keys.push(k) - 1;
      labels.push(seriesLabel(v.labels));
      ys.push(new Array<number | null>(xs0.length + 1).fill(null));
    }
    ys[i]![xs0.length] = v.value;
  }
  const xs = [...xs0, ts];
  let start = 0;
  while (start < xs.length && xs[start]! * 1000 < fromMs) start++;
  start = Math.max(start, xs.length - maxPoints);
  return { keys, labels, data: [xs.slice(start), ...ys.map((y) => y.slice(start))] };
}

/**
 * The data with empty points at the window's ends where the data stops short, so the x axis spans
 * the chosen range (a host that reported for ten minutes of the last hour shows as such) and a
 * zoom's reset returns to that range.
 */
export function spanWindow(cd: ChartData, fromMs: number, toMs: number): ChartData['data'] {
  const [xs, ...ys] = cd.data;
  const from = fromMs / 1000;
  const to = toMs / 1000;
  const before = !xs.length || xs[0]! > from;
  const after = to > (xs.length ? xs[xs.length - 1]! : from);
  if (!before && !after) return cd.data;
  const pad = (col: (number | null)[]) => [...(before ? [null] : []), ...col, ...(after ? [null] : [])];
  return [[...(before ? [from] : []), ...xs, ...(after ? [to] : [])], ...ys.map(pad)];
}
