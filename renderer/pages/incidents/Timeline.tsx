// An incident's timeline, oldest first: what happened, when, and who did it.
import { formatTime } from '../../components/format.js';
import { describeEntry, type TimelineEntry } from './timeline.js';

export function Timeline({ entries, resolution }: { entries: readonly TimelineEntry[]; resolution?: string | null }) {
  if (!entries.length) return <p className="muted">Nothing recorded yet.</p>;
  return (
    <ol className="timeline" aria-label="Timeline">
      {entries.map((e) => {
        const d = describeEntry(e, { resolution: resolution ?? null });
        return (
          <li key={e.id} className={`timeline-entry tone-${d.tone}`} data-type={e.type}>
            <time dateTime={new Date(e.ts).toISOString()}>{formatTime(e.ts)}</time>
            <strong className="timeline-label">{d.label}</strong>
            <span className="timeline-text">{d.text}</span>
            {e.actor && e.type === 'note' && <span className="muted"> — {e.actor}</span>}
          </li>
        );
      })}
    </ol>
  );
}
