// Series ids and per-host series counts, remembered so the write path does not look them up per
// sample. Shared by both backends; a host's entries are forgotten when the host is deleted.
//
// Kept per host, keyed by metric + labels, so the hot path builds no host-prefixed key. And since
// an agent sends the same series list every cycle, each host also remembers its last batch's list
// with the ids it resolved to: a batch whose list matches (compared field by field, cheaper than
// serializing labels) gets its ids without a single map lookup.
import { canonicalLabels } from './labels.js';
import type { BatchWrite, Labels } from './types.js';

type SeriesList = BatchWrite['series'];

interface HostSeries {
  ids: Map<string, number>;
  count?: number;
  /** The last fully resolved series list and its ids (none over the limit). */
  lastList?: { series: SeriesList; ids: number[] };
}

export class SeriesCache {
  private hosts = new Map<string, HostSeries>();

  /** The key of a series within its host. */
  static key(metric: string, labels: string): string {
    return `${metric}\u0001${labels}`;
  }

  private host(hostId: string): HostSeries {
    let h = this.hosts.get(hostId);
    if (!h) this.hosts.set(hostId, (h = { ids: new Map() }));
    return h;
  }

  get(hostId: string, key: string): number | undefined {
    return this.hosts.get(hostId)?.ids.get(key);
  }

  set(hostId: string, key: string, id: number): void {
    this.host(hostId).ids.set(key, id);
  }

  count(hostId: string): number | undefined {
    return this.hosts.get(hostId)?.count;
  }

  setCount(hostId: string, n: number): void {
    this.host(hostId).count = n;
  }

  forgetHost(hostId: string): void {
    this.hosts.delete(hostId);
  }

  /** The ids of a series list identical to the host's last remembered one, or undefined. */
  sameList(hostId: string, series: SeriesList): number[] | undefined {
    const last = this.hosts.get(hostId)?.lastList;
    if (!last || last.series.length !== series.length) return undefined;
    for (let i = 0; i < series.length; i++) {
      const a = series[i]!;
      const b = last.series[i]!;
      if (a.name !== b.name || !sameLabels(a.labels, b.labels)) return undefined;
    }
    return last.ids;
  }

  /** Remembers a host's series list with its ids (all resolved: none over the limit). */
  rememberList(hostId: string, series: SeriesList, ids: number[]): void {
    // Only names and labels are compared later: keep those, not the batch's samples.
    this.host(hostId).lastList = { series: series.map((s) => ({ name: s.name, labels: s.labels, ts: [], values: [] })), ids };
  }

  /**
   * Each series' id from the cache (undefined where unknown), the key of each (computed only for
   * lists that are not the host's last one), and whether the whole list matched the last one.
   */
  lookup(hostId: string, series: SeriesList): { ids: (number | undefined)[]; keys: string[] | null } {
    const same = this.sameList(hostId, series);
    if (same) return { ids: same, keys: null };
    const known = this.hosts.get(hostId)?.ids;
    const keys = series.map((s) => SeriesCache.key(s.name, canonicalLabels(s.labels)));
    return { ids: keys.map((k) => known?.get(k)), keys };
  }
}

function sameLabels(a: Labels, b: Labels): boolean {
  if (a === b) return true;
  let n = 0;
  for (const k in a) {
    if (a[k] !== b[k]) return false;
    n++;
  }
  for (const _ in b) n--;
  return n === 0;
}
