// One metric of one host over the chosen range: fetched from the API (raw or rollups), then kept
// current by appending the live stream's values for this host.
import { useEffect, useMemo, useState } from 'react';
import { METRICS, type KnownMetric } from '../../../shared/metrics.js';
import { useApiQuery } from '../../api/hooks.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { formatTicks, formatValue } from '../../components/format.js';
import { TimeSeriesChart } from '../../components/TimeSeriesChart.js';
import { useLiveSamples } from '../../live/LiveProvider.js';
import type { RangeQuery } from './ranges.js';
import { appendLive, spanWindow, toChartData, type ChartData } from './series.js';

/** A live chart keeps at most this many points per series (a 10,000-point chart stays fluid in uPlot). */
const MAX_POINTS = 10_000;

export function MetricChart({ hostId, metric, range }: { hostId: string; metric: string; range: RangeQuery }) {
  const info = (METRICS as Record<string, (typeof METRICS)[KnownMetric] | undefined>)[metric];
  const q = useApiQuery('hostSeries', { id: hostId, metric, from: range.from, to: range.to, step: range.step }, { staleTime: Infinity });
  const [chart, setChart] = useState<ChartData | null>(null);
  const samples = useLiveSamples();

  useEffect(() => {
    if (q.data) setChart(toChartData(q.data.series));
  }, [q.data]);

  useEffect(() => {
    if (!range.live) return;
    return samples.subscribe(hostId, (values) =>
      setChart((cd) => (cd ? appendLive(cd, metric, values, Date.now() - (range.to - range.from), MAX_POINTS) : cd)),
    );
  }, [samples, hostId, metric, range]);

  // The x axis spans the chosen range: a live one slides with the clock, a fixed one is as asked.
  const data = useMemo(() => {
    if (!chart) return null;
    const to = range.live ? Date.now() : range.to;
    return spanWindow(chart, to - (range.to - range.from), to);
  }, [chart, range]);
  const series = useMemo(() => (chart?.labels ?? []).map((label) => ({ label })), [chart?.labels]);
  const fmt = (v: number) => formatValue(info?.unit, v);
  const title = `${metric}${info ? ` — ${info.help}` : ''}`;

  if (q.error) return <ErrorBanner title={`Cannot load ${metric}`} error={q.error} onRetry={() => void q.refetch()} />;
  if (!data)
    return (
      <figure className="chart">
        <figcaption>{title}</figcaption>
        <p className="muted">Loading…</p>
      </figure>
    );
  return (
    <TimeSeriesChart
      title={title}
      data={data}
      series={series}
      formatValue={fmt}
      formatTicks={(ticks) => formatTicks(info?.unit, ticks)}
      {...(info?.unit === 'percent' ? { yRange: [0, 100] as [number, number] } : {})}
    />
  );
}
