// Rules, policies, channels and silences over the API: CRUD on named records, with references
// checked (a rule's policy, a policy's channels) and secrets never sent back. Every change reloads
// the engine here and, through the bus, on the other instances.
import { REDACTED } from '../../shared/alerting/index.js';
import type { Engine } from '../engine/engine.js';
import { applyChanges, diffConfig, exportDocument, formatDiff, parseDocument, specForApi } from '../engine/config-as-code/index.js';
import type { Handlers } from './contract-routes.js';
import type { AlertingStore } from '../store/alerting/store.js';
import type { ConfigKind, ConfigRecord } from '../store/alerting/types.js';
import type { Clock } from '../engine/types.js';
import { HttpError, notFound } from './errors.js';

export interface ConfigDeps {
  alerting: AlertingStore;
  engine: Engine;
  clock: Clock;
}

type Spec = { name: string } & Record<string, unknown>;
const LABEL: Record<ConfigKind, string> = { rule: 'rule', policy: 'escalation policy', channel: 'channel', silence: 'silence' };

export const present = <K extends ConfigKind>(kind: K, r: ConfigRecord) => ({
  id: r.id,
  name: r.name,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
  spec: specForApi(kind, r.spec),
});

export function configCrud<K extends ConfigKind>(kind: K, d: ConfigDeps) {
  const mustGet = async (id: string) => (await d.alerting.getConfig<Spec>(kind, id)) ?? Promise.reject(notFound(`${LABEL[kind]} ${id}`));
  const changed = async (item: ConfigRecord) => {
    await d.engine.configChanged();
    return { item: present(kind, item) };
  };

  return {
    list: async () => ({ items: (await d.alerting.listConfig<Spec>(kind)).map((r) => present(kind, r)) }),
    get: async (_: unknown, p: { id: string }) => ({ item: present(kind, await mustGet(p.id)) }),
    create: async (spec: Spec) => {
      await checkReferences(kind, spec, d.alerting);
      if (await d.alerting.getConfig(kind, spec.name)) throw taken(kind, spec.name);
      return changed(await d.alerting.createConfig(kind, spec.name, spec, d.clock.now()));
    },
    update: async (spec: Spec, p: { id: string }) => {
      const before = await mustGet(p.id);
      const other = await d.alerting.getConfig(kind, spec.name);
      if (other && other.id !== before.id) throw taken(kind, spec.name);
      await checkReferences(kind, spec, d.alerting);
      const next = kind === 'channel' ? keepSecrets(spec, before.spec) : spec;
      await d.alerting.updateConfig(kind, before.id, spec.name, next, d.clock.now());
      if (kind === 'rule') await d.alerting.clearRuleState(before.id); // the condition changed: start over
      return changed((await d.alerting.getConfig(kind, before.id))!);
    },
    remove: async (_: unknown, p: { id: string }) => {
      const item = await mustGet(p.id);
      await checkNotReferenced(kind, item.name, d.alerting);
      await d.alerting.deleteConfig(kind, item.id);
      if (kind === 'rule') await d.alerting.clearRuleState(item.id);
      await d.engine.configChanged();
      return { deleted: true as const };
    },
  };
}

const taken = (kind: ConfigKind, name: string) =>
  new HttpError(409, 'conflict', `a ${LABEL[kind]} named "${name}" already exists`, [{ path: 'name', message: 'already taken' }]);

async function checkReferences(kind: ConfigKind, spec: Spec, alerting: AlertingStore): Promise<void> {
  if (kind === 'rule' && typeof spec.policy === 'string' && !(await alerting.getConfig('policy', spec.policy))) {
    throw new HttpError(400, 'invalid_input', `no escalation policy named "${spec.policy}"`, [
      { path: 'policy', message: 'no such policy' },
    ]);
  }
  if (kind === 'policy') {
    const levels = spec.levels as { channels: string[] }[];
    for (const [i, level] of levels.entries()) {
      for (const [j, name] of level.channels.entries()) {
        if (!(await alerting.getConfig('channel', name))) {
          throw new HttpError(400, 'invalid_input', `no channel named "${name}"`, [
            { path: `levels[${i}].channels[${j}]`, message: 'no such channel' },
          ]);
        }
      }
    }
  }
}

async function checkNotReferenced(kind: ConfigKind, name: string, alerting: AlertingStore): Promise<void> {
  const users =
    kind === 'channel'
      ? (await alerting.listConfig<{ levels: { channels: string[] }[] }>('policy')).filter((p) =>
          p.spec.levels.some((l) => l.channels.includes(name)),
        )
      : kind === 'policy'
        ? (await alerting.listConfig<{ policy?: string }>('rule')).filter((r) => r.spec.policy === name)
        : [];
  if (users.length) {
    const what = kind === 'channel' ? 'escalation policies' : 'rules';
    throw new HttpError(409, 'in_use', `"${name}" is used by ${what} ${users.map((u) => `"${u.name}"`).join(', ')}; change them first`);
  }
}

/** A channel PUT back as the API showed it carries the redaction marker: keep the stored secret. */
function keepSecrets(spec: Spec, stored: Spec): Spec {
  const settings = { ...(spec.settings as Record<string, unknown>) };
  const old = (stored.settings ?? {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(settings)) if (v === REDACTED) settings[k] = old[k];
  return { ...spec, settings };
}

/** The four kinds' CRUD under the contract's procedure names. */
export function configHandlers(d: ConfigDeps) {
  const rules = configCrud('rule', d);
  const policies = configCrud('policy', d);
  const channels = configCrud('channel', d);
  const silences = configCrud('silence', d);
  return {
    ...{ listRules: rules.list, getRule: rules.get, createRule: rules.create, updateRule: rules.update, deleteRule: rules.remove },
    ...{
      listPolicies: policies.list,
      getPolicy: policies.get,
      createPolicy: policies.create,
      updatePolicy: policies.update,
      deletePolicy: policies.remove,
    },
    ...{
      listChannels: channels.list,
      getChannel: channels.get,
      createChannel: channels.create,
      updateChannel: channels.update,
      deleteChannel: channels.remove,
    },
    ...{
      listSilences: silences.list,
      getSilence: silences.get,
      createSilence: silences.create,
      updateSilence: silences.update,
      deleteSilence: silences.remove,
    },
  };
}

/** Config as code over the API: export the whole configuration, or import a document (diff, then apply). */
export function configDocumentHandlers(d: ConfigDeps): Pick<Handlers, 'exportConfig' | 'importConfig'> {
  const all = async () => (await Promise.all(KINDS.map((k) => d.alerting.listConfig(k)))).flat();
  return {
    exportConfig: async () => ({ yaml: exportDocument(await all()) }),
    importConfig: async ({ yaml, prune, dryRun }) => {
      const current = await all();
      const known = {
        policies: current.filter((r) => r.kind === 'policy').map((r) => r.name),
        channels: current.filter((r) => r.kind === 'channel').map((r) => r.name),
      };
      const parsed = parseDocument(yaml, known, { prune });
      if (!parsed.ok) {
        const issues = parsed.errors.map((e) => ({ path: e.path, message: e.line ? `${e.message} (line ${e.line})` : e.message }));
        throw new HttpError(400, 'invalid_input', `invalid document: ${issues[0]!.path}: ${issues[0]!.message}`, issues);
      }
      const changes = diffConfig(current, parsed.doc, { prune });
      let applied = null;
      if (!dryRun) {
        try {
          applied = await applyChanges(d.alerting, current, changes, d.clock.now());
        } catch (err) {
          throw new HttpError(409, 'conflict', (err as Error).message);
        }
        if (applied.created + applied.updated + applied.deleted > 0) await d.engine.configChanged();
      }
      return {
        diff: formatDiff(changes),
        changes: changes.map((c) => ({ kind: c.kind, name: c.name, action: c.action, ...(c.fields ? { fields: c.fields } : {}) })),
        applied,
      };
    },
  };
}

const KINDS: ConfigKind[] = ['channel', 'policy', 'rule', 'silence'];
