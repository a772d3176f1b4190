// uPlot behind a React component. uPlot draws on canvas and was built for streaming time series
// (its README: 3,600 points at 60 fps for ~10% CPU where SVG libraries fall over), so a 10,000-point
// chart updated every second stays fluid. The plot is created once; new data goes through setData,
// and its width follows the container.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { cssVar } from '../app/theme.js';

export interface ChartSeries {
  label: string;
  color?: string;
}

export interface TimeSeriesChartProps {
  title: string;
  /** [x in seconds, ...one array of y per series]; null for gaps. */
  data: uPlot.AlignedData;
  series: ChartSeries[];
  height?: number;
  formatValue?: (v: number) => string;
  /** The y axis's labels, all at once so they can share a precision (default: formatValue each). */
  formatTicks?: (ticks: number[]) => string[];
  /** Fixed y range, e.g. [0, 100] for percentages. */
  yRange?: [number, number];
}

const PALETTE = ['--chart-1', '--chart-2', '--chart-3', '--chart-4', '--chart-5', '--chart-6'];

/** The y axis as wide as its longest label (uPlot's own recipe), so "1.40 GiB" is not cut off. */
function axisWidth(u: uPlot, values: string[] | null, axisIdx: number, cycleNum: number): number {
  const axis = u.axes[axisIdx]!;
  if (cycleNum > 1) return (axis as { _size?: number })._size ?? 60;
  const longest = (values ?? []).reduce((a, v) => (v.length > a.length ? v : a), '');
  u.ctx.font = (axis.font as unknown as string[])[0]!;
  return Math.ceil((axis.ticks?.size ?? 10) + (axis.gap ?? 5) + u.ctx.measureText(longest).width / devicePixelRatio);
}

export function TimeSeriesChart({ title, data, series, height = 180, formatValue, formatTicks, yRange }: TimeSeriesChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const seriesSig = series.map((s) => s.label).join('|');

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const axisColor = cssVar('--text-muted') || '#888';
    const gridColor = cssVar('--border') || '#ddd';
    const fmt = formatValue ?? ((v: number) => String(v));
    const ticksOf = formatTicks ?? ((ticks: number[]) => ticks.map(fmt));
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      legend: { show: true },
      cursor: { drag: { x: true, y: false } },
      scales: { x: { time: true }, y: yRange ? { range: yRange } : {} },
      axes: [
        { stroke: axisColor, grid: { stroke: gridColor, width: 1 } },
        { stroke: axisColor, grid: { stroke: gridColor, width: 1 }, size: axisWidth, values: (_u, ticks) => ticksOf(ticks) },
      ],
      series: [
        {},
        ...series.map((s, i) => ({
          label: s.label,
          stroke: s.color ?? (cssVar(PALETTE[i % PALETTE.length]!) || '#3b82f6'),
          width: 1.5,
          value: (_u: uPlot, v: number | null) => (v === null ? '–' : fmt(v)),
          spanGaps: false,
        })),
      ],
    };
    const u = new uPlot(opts, data, el);
    plot.current = u;
    const ro = new ResizeObserver(() => u.setSize({ width: Math.max(200, el.clientWidth), height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
    // Re-create only when the shape changes; data updates go through setData below.
  }, [seriesSig, height, yRange?.[0], yRange?.[1]]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <div ref={box} role="img" aria-label={`${title} chart`} />
    </figure>
  );
}
