// The incident engine's API: configuration (rules, policies, channels, silences) as CRUD over the
// same schemas as the YAML format, incidents and their lifecycle, PagerDuty-style events, reports.
// Specs come back in document form (durations as "5m", secrets redacted), so what a GET returns can
// be PUT back unchanged.
import { z } from 'zod';
import { channelSchema, escalationPolicySchema, ruleSchema, severity, silenceSchema } from '../alerting/index.js';
import type { Procedure } from './procedures.js';

const id = z.string().min(1).max(64);
const idParams = z.object({ id });
const csv = <T extends z.ZodType>(item: T) =>
  z.preprocess((v) => (typeof v === 'string' ? v.split(',').filter(Boolean) : v), z.array(item)).optional();

const record = <S extends z.ZodType>(spec: S) =>
  z.object({ id: z.string(), name: z.string(), createdAt: z.number(), updatedAt: z.number(), spec });

/** A spec as the API shows it: valid input for the same schema (document form). */
const shown = <S extends z.ZodType>(schema: S) =>
  z.custom<z.input<S>>((v) => schema.safeParse(v).success, { message: 'not a valid spec in document form' });

function crud<S extends z.ZodType>(path: string, what: string, schema: S) {
  const one = z.object({ item: record(shown(schema)) });
  return {
    list: { method: 'GET', path, summary: `All ${what}`, input: z.object({}), output: z.object({ items: z.array(record(shown(schema))) }) },
    get: {
      method: 'GET',
      path: `${path}/:id`,
      summary: `One ${what.replace(/s$/, '')}, by id or name`,
      params: idParams,
      input: z.object({}),
      output: one,
    },
    create: { method: 'POST', path, status: 201, summary: `Add a ${what.replace(/s$/, '')}`, input: schema, output: one },
    update: {
      method: 'PUT',
      path: `${path}/:id`,
      summary: `Replace a ${what.replace(/s$/, '')}`,
      params: idParams,
      input: schema,
      output: one,
    },
    remove: {
      method: 'DELETE',
      path: `${path}/:id`,
      summary: `Delete a ${what.replace(/s$/, '')}`,
      params: idParams,
      input: z.object({}),
      output: z.object({ deleted: z.literal(true) }),
    },
  } as const satisfies Record<string, Procedure>;
}

const rules = crud('/api/v1/rules', 'alert rules', ruleSchema);
const policies = crud('/api/v1/policies', 'escalation policies', escalationPolicySchema);
const channels = crud('/api/v1/channels', 'notification channels', channelSchema);
const silences = crud('/api/v1/silences', 'silences', silenceSchema);

export const incidentSchema = z.object({
  id: z.string(),
  fingerprint: z.string(),
  source: z.enum(['rule', 'external', 'test']),
  ruleId: z.string().nullable(),
  hostId: z.string().nullable(),
  dedupKey: z.string().nullable(),
  title: z.string(),
  description: z.string(),
  severity,
  labels: z.record(z.string(), z.string()),
  status: z.enum(['triggered', 'acknowledged', 'resolved']),
  count: z.number(),
  value: z.number().nullable(),
  policy: z.string().nullable(),
  silenced: z.boolean(),
  triggeredAt: z.number(),
  lastSeenAt: z.number(),
  acknowledgedAt: z.number().nullable(),
  acknowledgedBy: z.string().nullable(),
  resolvedAt: z.number().nullable(),
  resolvedBy: z.string().nullable(),
  resolution: z.enum(['manual', 'auto', 'external']).nullable(),
});

const timelineEntry = z.object({
  id: z.string(),
  ts: z.number(),
  type: z.string(),
  actor: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
});
const delivery = z.object({
  id: z.string(),
  incidentId: z.string(),
  channelName: z.string(),
  event: z.string(),
  stepKey: z.string(),
  status: z.enum(['pending', 'sent', 'failed']),
  attempts: z.number(),
  nextAttemptAt: z.number().nullable(),
  lastError: z.string().nullable(),
  detail: z.string().nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
/** Who acts: always the signed-in user for a session; a script's API token may name someone, else its user. */
const actor = z.string().trim().min(1).max(128).optional();
const one = z.object({ incident: incidentSchema });
const ms = z.coerce.number().int().nonnegative();

/** PagerDuty Events API v2, so existing integrations can send to Watchtower unchanged. */
export const externalEventSchema = z
  .object({
    /** Names the escalation policy to notify (PagerDuty's routing key picks a service). */
    routing_key: z.string().max(128).optional(),
    event_action: z.enum(['trigger', 'acknowledge', 'resolve']),
    dedup_key: z.string().min(1).max(255).optional(),
    payload: z
      .object({
        summary: z.string().min(1).max(1024),
        source: z.string().min(1).max(255),
        severity: z.enum(['critical', 'error', 'warning', 'info']),
        component: z.string().max(255).optional(),
        group: z.string().max(255).optional(),
        class: z.string().max(255).optional(),
        custom_details: z.record(z.string(), z.unknown()).optional(),
      })
      .optional(),
  })
  .refine((e) => e.event_action !== 'trigger' || e.payload, { message: 'a trigger needs a payload', path: ['payload'] })
  .refine((e) => e.event_action === 'trigger' || e.dedup_key, {
    message: 'acknowledge and resolve need the dedup_key',
    path: ['dedup_key'],
  });

export const alertingProcedures = {
  listRules: rules.list,
  getRule: rules.get,
  createRule: rules.create,
  updateRule: rules.update,
  deleteRule: rules.remove,
  listPolicies: policies.list,
  getPolicy: policies.get,
  createPolicy: policies.create,
  updatePolicy: policies.update,
  deletePolicy: policies.remove,
  listChannels: channels.list,
  getChannel: channels.get,
  createChannel: channels.create,
  updateChannel: channels.update,
  deleteChannel: channels.remove,
  testChannel: {
    method: 'POST',
    path: '/api/v1/channels/:id/test',
    summary: 'Send a test notification through a channel now',
    params: idParams,
    input: z.object({}),
    output: z.object({ ok: z.boolean(), detail: z.string().optional(), error: z.string().optional(), retryable: z.boolean().optional() }),
  },
  listSilences: silences.list,
  getSilence: silences.get,
  createSilence: silences.create,
  updateSilence: silences.update,
  deleteSilence: silences.remove,
  listIncidents: {
    method: 'GET',
    path: '/api/v1/incidents',
    summary: 'Incidents, newest first, filtered',
    input: z.object({
      status: csv(z.enum(['triggered', 'acknowledged', 'resolved'])),
      severity: csv(severity),
      hostId: id.optional(),
      ruleId: id.optional(),
      from: ms.optional(),
      to: ms.optional(),
      limit: z.coerce.number().int().min(1).max(1000).default(100),
    }),
    output: z.object({ incidents: z.array(incidentSchema) }),
  },
  getIncident: {
    method: 'GET',
    path: '/api/v1/incidents/:id',
    summary: 'An incident with its timeline and deliveries',
    params: idParams,
    input: z.object({}),
    output: z.object({ incident: incidentSchema, timeline: z.array(timelineEntry), deliveries: z.array(delivery) }),
  },
  acknowledgeIncident: {
    method: 'POST',
    path: '/api/v1/incidents/:id/acknowledge',
    summary: 'Acknowledge: stops escalation',
    params: idParams,
    input: z.object({ by: actor }),
    output: one,
  },
  resolveIncident: {
    method: 'POST',
    path: '/api/v1/incidents/:id/resolve',
    summary: 'Resolve by hand',
    params: idParams,
    input: z.object({ by: actor }),
    output: one,
  },
  addIncidentNote: {
    method: 'POST',
    path: '/api/v1/incidents/:id/notes',
    status: 201,
    summary: "Add a note to the incident's timeline",
    params: idParams,
    input: z.object({ by: actor, text: z.string().trim().min(1).max(4000) }),
    output: z.object({ ok: z.literal(true) }),
  },
  triggerTestIncident: {
    method: 'POST',
    path: '/api/v1/incidents/test',
    status: 201,
    summary: 'Open a test incident that notifies through a policy',
    input: z.object({ policy: z.string().max(128).optional(), severity: severity.default('info'), title: z.string().max(200).optional() }),
    output: one,
  },
  incidentStats: {
    method: 'GET',
    path: '/api/v1/incident-stats',
    summary: 'Time to acknowledge and to resolve, per rule, host or day',
    input: z.object({ by: z.enum(['rule', 'host', 'day']).default('day'), from: ms, to: ms }),
    output: z.object({
      stats: z.array(
        z.object({
          group: z.string(),
          incidents: z.number(),
          acknowledged: z.number(),
          resolved: z.number(),
          meanTimeToAcknowledge: z.number().nullable(),
          meanTimeToResolve: z.number().nullable(),
        }),
      ),
    }),
  },
  listDeliveries: {
    method: 'GET',
    path: '/api/v1/deliveries',
    summary: 'The delivery log (e.g. ?status=failed)',
    input: z.object({
      status: z.enum(['pending', 'sent', 'failed']).optional(),
      incidentId: id.optional(),
      limit: z.coerce.number().int().min(1).max(1000).default(100),
    }),
    output: z.object({ deliveries: z.array(delivery) }),
  },
  exportConfig: {
    method: 'GET',
    path: '/api/v1/config',
    summary: 'Rules, policies, channels and silences as one YAML document (secrets redacted)',
    input: z.object({}),
    output: z.object({ yaml: z.string() }),
  },
  importConfig: {
    method: 'POST',
    path: '/api/v1/config',
    summary: 'Validate a YAML document, show the diff, and apply it unless dryRun',
    input: z.object({
      yaml: z.string().max(2_000_000),
      /** Delete what a kind listed in the document no longer names. */
      prune: z.boolean().default(false),
      dryRun: z.boolean().default(false),
    }),
    output: z.object({
      diff: z.string(),
      changes: z.array(
        z.object({
          kind: z.string(),
          name: z.string(),
          action: z.enum(['create', 'update', 'delete', 'unchanged']),
          fields: z.array(z.string()).optional(),
        }),
      ),
      applied: z.object({ created: z.number(), updated: z.number(), deleted: z.number() }).nullable(),
    }),
  },
  sendEvent: {
    method: 'POST',
    path: '/api/v1/events',
    status: 202,
    summary: 'PagerDuty Events API v2: trigger, acknowledge or resolve by dedup key',
    input: externalEventSchema,
    output: z.object({ status: z.literal('success'), message: z.string(), dedup_key: z.string() }),
  },
} as const satisfies Record<string, Procedure>;
