// Response reports: time to acknowledge and to resolve over time, for the whole fleet, per rule and
// per host. The stats procedure groups by day, rule or host over one window, so the per-rule and
// per-host lines take one call per time bucket (7–13 calls, cached and refreshed by live events).
import { useQueries } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import type uPlot from 'uplot';
import type { Output } from '../../../shared/contract/index.js';
import { queryKey, useApi, useApiQuery } from '../../api/hooks.js';
import { Link } from '../../app/router.js';
import { EmptyState } from '../../components/EmptyState.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { SelectField } from '../../components/form.js';
import { TimeSeriesChart } from '../../components/TimeSeriesChart.js';
import {
  buckets,
  formatMs,
  METRIC_LABEL,
  overTime,
  perGroup,
  REPORT_RANGES,
  type ChartData,
  type Metric,
  type ReportRange,
  type Stat,
} from './series.js';

const DAY = 86_400_000;
const minutes = (v: number) => `${v} min`;
const aligned = (d: ChartData): uPlot.AlignedData => [d.x, ...d.series.map((s) => s.values)] as uPlot.AlignedData;

export function ReportsPage() {
  const [range, setRange] = useState<ReportRange>('30d');
  const [metric, setMetric] = useState<Metric>('meanTimeToAcknowledge');
  const api = useApi();
  // Whole days: the inputs (and so the cache keys) stay the same all day.
  const today = Math.floor(Date.now() / DAY) * DAY;
  const window = useMemo(() => buckets(range, today), [range, today]);
  const from = window[0]!.from;
  const to = window.at(-1)!.to;

  const byDay = useApiQuery('incidentStats', { by: 'day', from, to });
  const byRule = useApiQuery('incidentStats', { by: 'rule', from, to });
  const byHost = useApiQuery('incidentStats', { by: 'host', from, to });
  const rules = useApiQuery('listRules', {});
  const hosts = useApiQuery('listHosts', {});
  const perBucket = (by: 'rule' | 'host') =>
    window.map((b) => {
      const input = { by, from: b.from, to: b.to } as const;
      return { queryKey: queryKey('incidentStats', input), queryFn: () => api.call('incidentStats', input) };
    });
  const ruleBuckets = useQueries({ queries: perBucket('rule') });
  const hostBuckets = useQueries({ queries: perBucket('host') });

  const ruleName = (g: string) =>
    rules.data?.items.find((r) => r.id === g)?.name ?? (g === 'test' ? 'test incidents' : g === 'external' ? 'external events' : g);
  const hostName = (g: string) => (g === '' ? '(no host)' : (hosts.data?.hosts.find((h) => h.id === g)?.name ?? g));
  const collect = (qs: typeof ruleBuckets) =>
    qs.every((q) => q.data) ? window.map((bucket, i) => ({ bucket, stats: (qs[i]!.data as Output<'incidentStats'>).stats })) : null;
  // useQueries hands back new arrays each render; the series are cheap (≤ 13 buckets).
  const ruleBucketStats = collect(ruleBuckets);
  const hostBucketStats = collect(hostBuckets);
  const ruleSeries = ruleBucketStats && perGroup(ruleBucketStats, metric, ruleName);
  const hostSeries = hostBucketStats && perGroup(hostBucketStats, metric, hostName);
  const fleet = useMemo(() => byDay.data && overTime(byDay.data.stats, range, today), [byDay.data, range, today]);

  const bucketError = [...ruleBuckets, ...hostBuckets].find((q) => q.error)?.error;
  const total = byDay.data?.stats.reduce((n, s) => n + s.incidents, 0);

  return (
    <section className="page">
      <h1>Reports</h1>
      <form className="toolbar" aria-label="Report options" onSubmit={(e) => e.preventDefault()}>
        <SelectField
          label="Period"
          value={range}
          onChange={(e) => setRange(e.target.value as ReportRange)}
          options={Object.keys(REPORT_RANGES).map((r) => ({ value: r, label: `Last ${r.replace('d', ' days')}` }))}
        />
        <SelectField
          label="Per rule and host, show"
          value={metric}
          onChange={(e) => setMetric(e.target.value as Metric)}
          options={(Object.keys(METRIC_LABEL) as Metric[]).map((m) => ({ value: m, label: METRIC_LABEL[m] }))}
        />
      </form>
      <ErrorBanner
        title="Cannot load the report"
        error={byDay.error ?? byRule.error ?? byHost.error ?? bucketError}
        onRetry={() => void byDay.refetch()}
      />
      {total === 0 ? (
        <EmptyState title={`No incidents in the last ${range.replace('d', ' days')}`}>
          Reports fill in as incidents are acknowledged and resolved. <Link to="/incidents">Trigger a test incident</Link> to see one, or
          pick a longer period.
        </EmptyState>
      ) : (
        <>
          <div className="charts">
            {fleet && (
              <TimeSeriesChart title="Whole fleet, per day (minutes)" data={aligned(fleet)} series={fleet.series} formatValue={minutes} />
            )}
            {ruleSeries && (
              <TimeSeriesChart
                title={`${METRIC_LABEL[metric]} per rule (minutes)`}
                data={aligned(ruleSeries)}
                series={ruleSeries.series}
                formatValue={minutes}
              />
            )}
            {hostSeries && (
              <TimeSeriesChart
                title={`${METRIC_LABEL[metric]} per host (minutes)`}
                data={aligned(hostSeries)}
                series={hostSeries.series}
                formatValue={minutes}
              />
            )}
          </div>
          {(ruleSeries?.omitted ?? 0) + (hostSeries?.omitted ?? 0) > 0 && (
            <p className="muted">Charts show the six rules and hosts with the most incidents; the tables below list them all.</p>
          )}
          <div className="cards">
            <StatsTable title="Per rule" stats={byRule.data?.stats} name={ruleName} />
            <StatsTable title="Per host" stats={byHost.data?.stats} name={hostName} />
          </div>
        </>
      )}
    </section>
  );
}

function StatsTable({ title, stats, name }: { title: string; stats: readonly Stat[] | undefined; name: (g: string) => string }) {
  return (
    <article className="card">
      <h2>{title}</h2>
      {!stats ? (
        <p className="muted">Loading…</p>
      ) : (
        <table className="table" aria-label={title}>
          <thead>
            <tr>
              <th scope="col">{title === 'Per rule' ? 'Rule' : 'Host'}</th>
              <th scope="col">Incidents</th>
              <th scope="col">Acknowledged</th>
              <th scope="col">Resolved</th>
              <th scope="col">Mean time to acknowledge</th>
              <th scope="col">Mean time to resolve</th>
            </tr>
          </thead>
          <tbody>
            {[...stats]
              .sort((a, b) => b.incidents - a.incidents)
              .map((s) => (
                <tr key={s.group}>
                  <td>{name(s.group)}</td>
                  <td>{s.incidents}</td>
                  <td>{s.acknowledged}</td>
                  <td>{s.resolved}</td>
                  <td>{formatMs(s.meanTimeToAcknowledge)}</td>
                  <td>{formatMs(s.meanTimeToResolve)}</td>
                </tr>
              ))}
          </tbody>
        </table>
      )}
    </article>
  );
}
