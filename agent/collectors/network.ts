import { join } from 'node:path';
import type { KnownMetric } from '../../shared/metrics.js';
import type { Collector, Point } from './types.js';
import { CounterRates, LabelCache, readText } from './util.js';

export interface NetDev {
  iface: string;
  /** rxBytes, rxPackets, rxErrors, txBytes, txPackets, txErrors: the order of NET_METRICS. */
  counters: number[];
}

const NET_METRICS: readonly KnownMetric[] = [
  'net.rx_bytes',
  'net.rx_packets',
  'net.rx_errors',
  'net.tx_bytes',
  'net.tx_packets',
  'net.tx_errors',
];
// Columns after "iface:": 8 receive counters (bytes packets errs drop fifo frame compressed
// multicast), then transmit (bytes packets errs …).
const COLUMNS = [0, 1, 2, 8, 9, 10];

export function parseNetDev(text: string): NetDev[] {
  const out: NetDev[] = [];
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue; // the two header lines have no colon
    // Old kernels glue the first counter to the colon ("eth0:123"), so split there, not on spaces.
    const iface = line.slice(0, colon).trim();
    const fields = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/);
    if (!iface || fields.length < 16) continue;
    out.push({ iface, counters: COLUMNS.map((c) => Number(fields[c])) });
  }
  return out;
}

const ifaceLabels = (iface: string): Record<string, string> => ({ iface });

export interface NetworkCollectorOptions {
  /** Interfaces to leave out; loopback by default. */
  exclude?: RegExp;
}

export function createNetworkCollector(opts: NetworkCollectorOptions = {}): Collector {
  const exclude = opts.exclude ?? /^lo$/;
  const rates = new CounterRates();
  const labels = new LabelCache();
  return {
    name: 'network',
    collect(ctx) {
      const devs = parseNetDev(readText(join(ctx.procRoot, 'net', 'dev')));
      const out: Point[] = [];
      rates.begin(ctx.now);
      for (const { iface, counters } of devs) {
        if (exclude.test(iface)) continue;
        const r = rates.update(iface, counters);
        if (!r) continue;
        const l = labels.get(iface, ifaceLabels);
        for (let i = 0; i < NET_METRICS.length; i++) out.push({ name: NET_METRICS[i]!, labels: l, value: r[i]! });
      }
      rates.end();
      labels.sweep();
      return out;
    },
  };
}
