// Incidents: alerts become incidents (one open per fingerprint), people acknowledge and resolve
// them, and every change goes on the bus. Escalation starts when an incident opens unsilenced and
// stops when it is acknowledged or resolved.
import { createHash } from 'node:crypto';
import type { EscalationPolicy, SilenceSpec } from '../../shared/alerting/index.js';
import { silenceActive } from '../../shared/alerting/index.js';
import type { Incident, NewIncident } from '../store/alerting/types.js';
import type { Escalation } from './escalation.js';
import type { Timers } from './timers.js';
import { TOPICS, type EngineDeps } from './types.js';

export const fingerprint = (...parts: string[]) => createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);

export interface AlertContext {
  hostName: string | null;
  hostLabels: Record<string, string>;
  ruleName: string | null;
}

export class Incidents {
  constructor(
    private d: EngineDeps,
    private escalation: Escalation,
    private timers: Timers,
    private kick: () => void,
  ) {}

  /** Opens (or counts a repeat of) an incident; notifications follow unless a silence matches. */
  async trigger(alert: Omit<NewIncident, 'silenced'>, ctx: AlertContext): Promise<{ incident: Incident; created: boolean }> {
    const now = this.d.clock.now();
    const silence = await this.matchingSilence(alert, ctx, now);
    const res = await this.d.alerting.triggerIncident({ ...alert, silenced: silence !== null }, now);
    if (res.created) {
      if (silence) await this.d.alerting.addTimelineEntry(res.incident.id, 'note', 'system', { text: `silenced by "${silence}"` }, now);
      else await this.escalation.start(res.incident, await this.flappingGuard(res.incident));
      this.kick();
    }
    await this.publish(res.incident, res.created ? 'triggered' : 'repeated');
    return res;
  }

  async acknowledge(id: string, by: string): Promise<Incident | null> {
    const incident = await this.d.alerting.acknowledge(id, by, this.d.clock.now());
    if (!incident) return null;
    await this.timers.cancel(id);
    await this.publish(incident, 'acknowledged');
    return incident;
  }

  async resolve(id: string, by: string, resolution: 'manual' | 'auto' | 'external'): Promise<Incident | null> {
    const incident = await this.d.alerting.resolve(id, by, resolution, this.d.clock.now());
    if (!incident) return null;
    await this.timers.cancel(id);
    if ((await this.escalation.notifyResolved(incident)) > 0) this.kick();
    await this.publish(incident, 'resolved');
    return incident;
  }

  async resolveFingerprint(fp: string, by: string, resolution: 'auto' | 'external'): Promise<Incident | null> {
    const open = await this.d.alerting.openIncident(fp);
    return open ? this.resolve(open.id, by, resolution) : null;
  }

  async note(id: string, by: string, text: string): Promise<boolean> {
    const incident = await this.d.alerting.getIncident(id);
    if (!incident) return false;
    await this.d.alerting.addTimelineEntry(id, 'note', by, { text }, this.d.clock.now());
    await this.publish(incident, 'note');
    return true;
  }

  /**
   * A silence ended (or was deleted) while its incidents stayed open: they start notifying now, as
   * if they had just triggered. Runs on the engine's periodic round; `unsilence` lets one instance win.
   */
  async releaseSilenced(): Promise<number> {
    const open = await this.d.alerting.silencedIncidents(500);
    if (!open.length) return 0;
    const now = this.d.clock.now();
    let released = 0;
    for (const held of open) {
      if ((await this.matchingSilence(held, await this.contextOf(held), now)) !== null) continue;
      const incident = await this.d.alerting.unsilence(held.id, now, { text: 'silence ended; notifying from now' });
      if (!incident) continue;
      await this.escalation.start(incident, Math.max(now, await this.flappingGuard(incident)));
      await this.publish(incident, 'unsilenced');
      released++;
    }
    if (released) this.kick();
    return released;
  }

  /** What silences match on, rebuilt from a stored incident. */
  private async contextOf(i: Incident): Promise<AlertContext> {
    const host = i.hostId ? await this.d.store.getHost(i.hostId) : null;
    const rule = i.ruleId ? await this.d.alerting.getConfig('rule', i.ruleId) : null;
    const hostName = host?.name ?? (i.source === 'external' ? (i.labels.source ?? null) : null);
    return { hostName, hostLabels: host?.labels ?? {}, ruleName: rule?.name ?? null };
  }

  /** The policy's minimum interval: a fingerprint that fired recently waits before notifying again. */
  private async flappingGuard(incident: Incident): Promise<number> {
    const policy = incident.policy ? (await this.d.alerting.getConfig<EscalationPolicy>('policy', incident.policy))?.spec : null;
    if (!policy?.minInterval) return 0;
    const previous = await this.d.alerting.previousIncident(incident.fingerprint, incident.id);
    return previous ? previous.triggeredAt + policy.minInterval : 0;
  }

  private async matchingSilence(alert: Omit<NewIncident, 'silenced'>, ctx: AlertContext, now: number): Promise<string | null> {
    for (const s of await this.d.alerting.listConfig<SilenceSpec>('silence')) {
      const m = s.spec.matchers;
      if (!silenceActive(s.spec, now)) continue;
      if (m.hosts?.length && !(ctx.hostName && m.hosts.includes(ctx.hostName))) continue;
      if (m.rules?.length && !(ctx.ruleName && m.rules.includes(ctx.ruleName))) continue;
      const labels = { ...ctx.hostLabels, ...alert.labels };
      if (m.labels && !Object.entries(m.labels).every(([k, v]) => labels[k] === v)) continue;
      return s.name;
    }
    return null;
  }

  private async publish(incident: Incident, change: string): Promise<void> {
    await this.d.coordination.publish(TOPICS.incident, { change, incident }).catch((err) => this.d.log.warn({ err }, 'publish failed'));
  }
}
