// One host's live CPU / memory / disk: seeded from the fleet's `latest` answer, then updated by the
// live stream for this host only (other rows do not re-render).
import { useHostLive } from '../../live/LiveProvider.js';
import { formatPercent } from '../../components/format.js';
import type { HostSummary } from './summary.js';

export type SummaryField = keyof HostSummary;

export function liveSummaryValue(field: SummaryField, live: ReturnType<typeof useHostLive>, hostId: string): number | null {
  if (field === 'cpu') return live.get(hostId, 'cpu.usage', { cpu: 'total' })?.value ?? null;
  if (field === 'mem') return live.get(hostId, 'mem.used_percent')?.value ?? null;
  return live.maxOf(hostId, 'disk.used_percent') ?? null; // the fullest mount
}

export function HostMeter({ hostId, field, initial }: { hostId: string; field: SummaryField; initial: number | null }) {
  const live = useHostLive(hostId);
  const v = liveSummaryValue(field, live, hostId) ?? initial;
  if (v === null) return <span className="muted">–</span>;
  return (
    <span className="meter" aria-label={`${field} ${formatPercent(v)}`}>
      <span className="bar" aria-hidden="true">
        <span style={{ width: `${Math.min(100, Math.max(0, v))}%` }} />
      </span>
      <span>{formatPercent(v)}</span>
    </span>
  );
}
