// Incident procedures: list and read, acknowledge, resolve, notes, test incidents, reports, the
// delivery log, channel tests, and PagerDuty-style events from other tools.
import { randomBytes } from 'node:crypto';
import type { ChannelSpec } from '../../shared/alerting/index.js';
import type { Engine } from '../engine/engine.js';
import { fingerprint } from '../engine/incidents.js';
import type { Clock } from '../engine/types.js';
import type { AlertingStore } from '../store/alerting/store.js';
import type { Incident } from '../store/alerting/types.js';
import type { CallContext, Handlers } from './contract-routes.js';
import { caller } from './auth.js';
import { HttpError, notFound } from './errors.js';

export interface IncidentDeps {
  alerting: AlertingStore;
  engine: Engine;
  clock: Clock;
}

type IncidentHandlers = Pick<
  Handlers,
  | 'listIncidents'
  | 'getIncident'
  | 'acknowledgeIncident'
  | 'resolveIncident'
  | 'addIncidentNote'
  | 'triggerTestIncident'
  | 'incidentStats'
  | 'listDeliveries'
  | 'testChannel'
  | 'sendEvent'
>;

/** The signed-in user acts for a session; an API token may name who acts (a script relaying a person), else its user. */
function actorOf(ctx: CallContext, by: string | undefined): string {
  const p = caller(ctx);
  return p.via === 'token' && by ? by : p.user.name;
}

const SEVERITY = { critical: 'critical', error: 'critical', warning: 'warning', info: 'info' } as const;

export function incidentHandlers(d: IncidentDeps): IncidentHandlers {
  const { alerting, engine } = d;
  const mustGet = async (id: string) => (await alerting.getIncident(id)) ?? Promise.reject(notFound(`incident ${id}`));
  /** Acknowledge/resolve are idempotent for the caller: the answer is the incident as it now is. */
  const settle = async (id: string, changed: Incident | null) => ({ incident: changed ?? (await mustGet(id)) });
  const policyExists = async (name: string | undefined) => {
    if (name && !(await alerting.getConfig('policy', name))) {
      throw new HttpError(400, 'invalid_input', `no escalation policy named "${name}"`, [{ path: 'policy', message: 'no such policy' }]);
    }
  };

  return {
    listIncidents: async (f) => ({ incidents: await alerting.listIncidents(f) }),
    getIncident: async (_, { id }) => {
      const incident = await mustGet(id);
      return { incident, timeline: await alerting.timeline(id), deliveries: await alerting.listDeliveries({ incidentId: id, limit: 500 }) };
    },
    acknowledgeIncident: async ({ by }, { id }, ctx) =>
      settle(id, await engine.incidents.acknowledge((await mustGet(id)).id, actorOf(ctx, by))),
    resolveIncident: async ({ by }, { id }, ctx) =>
      settle(id, await engine.incidents.resolve((await mustGet(id)).id, actorOf(ctx, by), 'manual')),
    addIncidentNote: async ({ by, text }, { id }, ctx) => {
      if (!(await engine.incidents.note(id, actorOf(ctx, by), text))) throw notFound(`incident ${id}`);
      return { ok: true as const };
    },
    triggerTestIncident: async ({ policy, severity, title }) => {
      await policyExists(policy);
      const key = randomBytes(6).toString('hex');
      const { incident } = await engine.incidents.trigger(
        {
          fingerprint: fingerprint('test', key),
          source: 'test',
          ruleId: null,
          hostId: null,
          dedupKey: key,
          title: title ?? 'Test incident',
          description: 'Triggered by hand to check that notifications reach the right people.',
          severity,
          labels: { test: 'true' },
          value: null,
          policy: policy ?? null,
        },
        { hostName: null, hostLabels: {}, ruleName: null },
      );
      return { incident };
    },
    incidentStats: async ({ by, from, to }) => ({ stats: await alerting.responseStats(by, from, to) }),
    listDeliveries: async (f) => ({
      deliveries: await alerting.listDeliveries({
        limit: f.limit,
        ...(f.status ? { status: f.status } : {}),
        ...(f.incidentId ? { incidentId: f.incidentId } : {}),
      }),
    }),
    testChannel: async (_, { id }) => {
      const channel = await alerting.getConfig<ChannelSpec>('channel', id);
      if (!channel) throw notFound(`channel ${id}`);
      const now = d.clock.now();
      const outcome = await engine.deliveries.sender(channel).send({
        deliveryId: `test-${randomBytes(6).toString('hex')}`,
        event: 'test',
        incident: {
          id: 'test',
          title: 'Test notification from Watchtower',
          severity: 'info',
          status: 'triggered',
          description: `If you can read this, the channel "${channel.name}" works.`,
          host: null,
          rule: null,
          labels: {},
          triggeredAt: now,
          count: 1,
        },
        sentAt: now,
      });
      return outcome.ok ? { ok: true, detail: outcome.detail } : { ok: false, error: outcome.error, retryable: outcome.retryable };
    },
    sendEvent: async (e) => {
      const dedupKey = e.dedup_key ?? randomBytes(12).toString('hex');
      const fp = fingerprint('external', dedupKey);
      if (e.event_action === 'trigger') {
        await policyExists(e.routing_key);
        const p = e.payload!;
        const labels: Record<string, string> = { source: p.source };
        for (const k of ['component', 'group', 'class'] as const) if (p[k]) labels[k] = p[k];
        await engine.incidents.trigger(
          {
            fingerprint: fp,
            source: 'external',
            ruleId: null,
            hostId: null,
            dedupKey,
            title: p.summary,
            description: p.custom_details ? JSON.stringify(p.custom_details).slice(0, 2000) : p.summary,
            severity: SEVERITY[p.severity],
            labels,
            value: null,
            policy: e.routing_key ?? null,
          },
          { hostName: p.source, hostLabels: {}, ruleName: null },
        );
        return { status: 'success' as const, message: 'Event processed', dedup_key: dedupKey };
      }
      // Like PagerDuty: acknowledging or resolving an alert that is not open is accepted and ignored.
      const open = await alerting.openIncident(fp);
      if (open && e.event_action === 'acknowledge') await engine.incidents.acknowledge(open.id, 'events-api');
      if (open && e.event_action === 'resolve') await engine.incidents.resolve(open.id, 'events-api', 'external');
      return { status: 'success' as const, message: open ? 'Event processed' : 'No open alert with this dedup_key', dedup_key: dedupKey };
    },
  };
}
