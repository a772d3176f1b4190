// Live values outside React Query: a batch per host per second for 1,000 hosts would re-render every
// consumer of a shared cache entry. Here each host row or chart subscribes to its own host only.
export interface LiveValue {
  metric: string;
  labels: Record<string, string>;
  ts: number;
  value: number;
}

type Listener = (values: LiveValue[]) => void;

/** One series key: metric plus sorted labels, e.g. cpu.usage{cpu=total}. */
export function seriesKey(metric: string, labels: Record<string, string>): string {
  const keys = Object.keys(labels).sort();
  return keys.length ? `${metric}{${keys.map((k) => `${k}=${labels[k]}`).join(',')}}` : metric;
}

export class LiveSamples {
  private latest = new Map<string, Map<string, LiveValue>>();
  private listeners = new Map<string, Set<Listener>>();
  private version = new Map<string, number>();

  push(hostId: string, values: LiveValue[]): void {
    let m = this.latest.get(hostId);
    if (!m) this.latest.set(hostId, (m = new Map()));
    for (const v of values) {
      const k = seriesKey(v.metric, v.labels);
      const prev = m.get(k);
      if (!prev || prev.ts <= v.ts) m.set(k, v);
    }
    this.version.set(hostId, (this.version.get(hostId) ?? 0) + 1);
    for (const l of this.listeners.get(hostId) ?? []) l(values);
  }

  /** The newest value of one series, or undefined. */
  get(hostId: string, metric: string, labels: Record<string, string> = {}): LiveValue | undefined {
    return this.latest.get(hostId)?.get(seriesKey(metric, labels));
  }

  /** The largest newest value among a metric's series (e.g. the fullest disk), or undefined. */
  maxOf(hostId: string, metric: string): number | undefined {
    let max: number | undefined;
    for (const v of this.latest.get(hostId)?.values() ?? []) if (v.metric === metric && (max === undefined || v.value > max)) max = v.value;
    return max;
  }

  /** Changes each time the host gets a batch (for useSyncExternalStore). */
  versionOf(hostId: string): number {
    return this.version.get(hostId) ?? 0;
  }

  subscribe(hostId: string, l: Listener): () => void {
    let set = this.listeners.get(hostId);
    if (!set) this.listeners.set(hostId, (set = new Set()));
    set.add(l);
    return () => set.delete(l);
  }
}
