// The three numbers a fleet view shows per host: CPU (all cores), memory, and the fullest disk.
/** What a fleet view asks `latest` for (not every series of every host). */
export const SUMMARY_METRICS = ['cpu.usage', 'mem.used_percent', 'disk.used_percent'];

export interface HostSummary {
  cpu: number | null;
  mem: number | null;
  disk: number | null;
}

interface Value {
  metric: string;
  labels: Record<string, string>;
  value: number;
}

export function summarize(values: Iterable<Value>): HostSummary {
  const out: HostSummary = { cpu: null, mem: null, disk: null };
  for (const v of values) {
    if (v.metric === 'cpu.usage' && v.labels.cpu === 'total') out.cpu = v.value;
    else if (v.metric === 'mem.used_percent') out.mem = v.value;
    else if (v.metric === 'disk.used_percent') out.disk = Math.max(out.disk ?? 0, v.value);
  }
  return out;
}

/** Groups the fleet-wide `latest` answer by host. */
export function summariesByHost(values: readonly (Value & { hostId: string })[]): Map<string, HostSummary> {
  const byHost = new Map<string, Value[]>();
  for (const v of values) {
    if (v.metric !== 'cpu.usage' && v.metric !== 'mem.used_percent' && v.metric !== 'disk.used_percent') continue;
    let list = byHost.get(v.hostId);
    if (!list) byHost.set(v.hostId, (list = []));
    list.push(v);
  }
  const out = new Map<string, HostSummary>();
  for (const [id, list] of byHost) out.set(id, summarize(list));
  return out;
}
