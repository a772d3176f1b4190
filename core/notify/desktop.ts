// Desktop: the core has no window, so it publishes on the bus and the Electron shell (if any is
// listening) shows a native notification. Headless nobody listens, and that is not a failure.
import { renderSummary, renderTitle } from './render.js';
import { errorMessage, type ChannelSender, type NotifyDeps } from './types.js';

export const DESKTOP_TOPIC = 'notify.desktop';

export interface DesktopNotification {
  title: string;
  body: string;
  severity: 'critical' | 'warning' | 'info';
  incidentId: string;
  event: string;
  url: string | null;
}

export function createDesktopSender(deps: Pick<NotifyDeps, 'publish'>): ChannelSender {
  return {
    type: 'desktop',
    async send(n) {
      const payload: DesktopNotification = {
        title: renderTitle(n),
        body: renderSummary(n),
        severity: n.incident.severity,
        incidentId: n.incident.id,
        event: n.event,
        url: n.url ?? null,
      };
      try {
        await deps.publish(DESKTOP_TOPIC, payload);
      } catch (err) {
        // The bus (Redis in team mode) being down is transient.
        return { ok: false, retryable: true, error: `publish failed: ${errorMessage(err)}` };
      }
      return { ok: true, detail: `published on ${DESKTOP_TOPIC}` };
    },
  };
}
