// Metric procedures: latest values, a series over a range, and a host's events.
import type { Store } from '../store/types.js';
import { MINUTE } from '../store/types.js';
import type { Handlers } from './contract-routes.js';
import { notFound } from './errors.js';

export interface MetricDeps {
  store: Store;
  rawRetentionMs: number;
  now: () => number;
}

/** Ranges longer than this read 1-minute rollups instead of raw samples. */
const RAW_RANGE_LIMIT = 6 * 60 * MINUTE;
const TARGET_POINTS = 300;

export function chooseResolution(from: number, to: number, step: number | undefined, now: number, rawRetentionMs: number) {
  const source: 'raw' | 'rollup' = to - from > RAW_RANGE_LIMIT || from < now - rawRetentionMs ? 'rollup' : 'raw';
  let stepMs = step ?? Math.max(1000, Math.ceil((to - from) / TARGET_POINTS / 1000) * 1000);
  if (source === 'rollup') stepMs = Math.max(MINUTE, Math.ceil(stepMs / MINUTE) * MINUTE);
  return { source, stepMs };
}

export function metricHandlers(d: MetricDeps): Pick<Handlers, 'latest' | 'hostSeries' | 'hostEvents'> {
  const mustExist = async (id: string) => {
    if (!(await d.store.getHost(id))) throw notFound(`host ${id}`);
  };
  return {
    latest: async ({ hostId, metrics }) => {
      const values = await d.store.latest(hostId);
      if (!metrics?.length) return { values };
      const wanted = new Set(metrics);
      return { values: values.filter((v) => wanted.has(v.metric)) };
    },
    hostSeries: async ({ id, metric, from, to, step, labels }) => {
      await mustExist(id);
      const { source, stepMs } = chooseResolution(from, to, step, d.now(), d.rawRetentionMs);
      const q = { hostId: id, metric, from, to, stepMs, source, ...(labels ? { labels } : {}) };
      return { source, stepMs, series: await d.store.querySeries(q) };
    },
    hostEvents: async ({ id, from, to, limit }) => {
      await mustExist(id);
      const q = { hostId: id, limit, ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) };
      return { events: await d.store.listEvents(q) };
    },
  };
}
