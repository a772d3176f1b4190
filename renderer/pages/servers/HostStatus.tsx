// A host's status as people read it: "never seen" until its agent's first batch (the API's 'new').
import type { HostView } from '../../../shared/contract/index.js';

export const HOST_STATUS_TEXT: Record<HostView['status'], string> = { new: 'never seen', up: 'up', down: 'down' };

const TITLE: Record<HostView['status'], string> = {
  new: 'no batch from its agent yet',
  up: 'its agent reported within its down-after window',
  down: 'its agent has not reported within its down-after window',
};

export function HostStatusBadge({ status, testId }: { status: HostView['status']; testId?: string }) {
  return (
    <span className={`badge status-${status}`} title={TITLE[status]} data-testid={testId}>
      {HOST_STATUS_TEXT[status]}
    </span>
  );
}
