// The live stream's state in the top bar, announced politely to screen readers when it changes.
import { useLiveState } from './LiveProvider.js';

const LABELS = { connecting: 'Connecting…', open: 'Live', reconnecting: 'Reconnecting…', closed: 'Offline' } as const;

export function LiveStatus() {
  const state = useLiveState();
  return (
    <span className={`live-status live-${state}`} role="status" aria-live="polite" data-testid="live-status">
      <span className="dot" aria-hidden="true" />
      {LABELS[state]}
    </span>
  );
}
