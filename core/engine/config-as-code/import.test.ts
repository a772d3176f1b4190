// Diff, apply and export against a real AlertingStore on SQLite: the import loop as a user runs it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REDACTED } from '../../../shared/alerting/index.js';
import { sqliteTarget, type StoreTarget } from '../../../test/helpers/stores.js';
import { AlertingStore } from '../../store/alerting/store.js';
import type { ConfigKind, ConfigRecord } from '../../store/alerting/types.js';
import type { Store } from '../../store/types.js';
import {
  applyChanges,
  diffConfig,
  exportDocument,
  formatDiff,
  parseDocument,
  type Change,
  type ConfigWriter,
  type ParsedDoc,
} from './index.js';
import { DOCUMENT, SMTP_PASSWORD, WEBHOOK_SECRET } from './fixtures.js';

const T = Date.UTC(2025, 5, 1);
const KINDS: ConfigKind[] = ['channel', 'policy', 'rule', 'silence'];

let target: StoreTarget;
let base: Store;
let store: AlertingStore;
beforeEach(async () => {
  target = sqliteTarget();
  base = await target.open();
  store = new AlertingStore(base.sql);
});
afterEach(async () => {
  await base.close();
  await target.cleanup();
});

const stored = async (): Promise<ConfigRecord[]> => (await Promise.all(KINDS.map((k) => store.listConfig(k)))).flat();

/** Parses against what is stored, as the import command does. */
async function parse(text: string, prune = false): Promise<ParsedDoc> {
  const current = await stored();
  const names = (kind: ConfigKind) => current.filter((r) => r.kind === kind).map((r) => r.name);
  const r = parseDocument(text, { policies: names('policy'), channels: names('channel') }, { prune });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.doc;
}

async function importText(text: string, prune = false): Promise<{ changes: Change[]; result: Awaited<ReturnType<typeof applyChanges>> }> {
  const current = await stored();
  const changes = diffConfig(current, await parse(text, prune), { prune });
  return { changes, result: await applyChanges(store, current, changes, T) };
}

const actions = (changes: Change[]) => changes.map((c) => `${c.action} ${c.kind} ${c.name}`);

describe('config as code against the store', () => {
  it('creates everything on an empty store, then finds nothing to change', async () => {
    const { changes, result } = await importText(DOCUMENT);
    expect(actions(changes)).toEqual([
      'create channel ops-email',
      'create channel ops-webhook',
      'create policy oncall',
      'create rule Disk filling',
      'create rule High CPU',
      'create rule Host down',
      'create rule OOM killer',
      'create silence Nightly backups',
    ]);
    expect(result).toEqual({ created: 8, updated: 0, deleted: 0 });
    expect((await store.getConfig('policy', 'oncall'))?.spec).toMatchObject({ minInterval: 600_000, repeat: 2 });

    const again = diffConfig(await stored(), await parse(DOCUMENT), { prune: true });
    expect(again.every((c) => c.action === 'unchanged')).toBe(true);
    expect(formatDiff(again)).toBe('no changes (8 unchanged)');
  });

  it('compares parsed specs: "10m" and 600 seconds, key order and defaults written out are no change', async () => {
    await importText(DOCUMENT);
    const text = DOCUMENT.replace('for: 10m', 'for: 600').replace(
      'kind: heartbeat\n    after: 90',
      'after: 1m30s\n    kind: heartbeat\n    enabled: true',
    );
    expect(diffConfig(await stored(), await parse(text), { prune: false }).filter((c) => c.action !== 'unchanged')).toEqual([]);
  });

  it('reports the changed fields of an update and applies it', async () => {
    await importText(DOCUMENT);
    const text = DOCUMENT.replace('repeat: 2', 'repeat: 3').replace('delay: 15m', 'delay: 20m').replace('value: 90', 'value: 95');
    const { changes, result } = await importText(text);
    const updates = changes.filter((c) => c.action === 'update');
    expect(updates.map((c) => [c.kind, c.name, c.fields])).toEqual([
      ['policy', 'oncall', ['levels', 'repeat']],
      ['rule', 'High CPU', ['value']],
    ]);
    expect(formatDiff(changes)).toBe(
      '~ policy "oncall": levels, repeat\n~ rule "High CPU": value\n0 to create, 2 to update, 0 to delete, 6 unchanged',
    );
    expect(result).toEqual({ created: 0, updated: 2, deleted: 0 });
    expect((await store.getConfig('policy', 'oncall'))?.spec).toMatchObject({ repeat: 3, levels: [{ delay: 0 }, { delay: 1_200_000 }] });
  });

  it('prunes only the kinds the document lists, and only when asked', async () => {
    await importText(DOCUMENT);
    const onlyCpu = `version: 1\nrules:\n  - { name: High CPU, kind: threshold, metric: cpu.usage, match: { cpu: total }, aggregate: avg, window: 5m, op: '>', value: 90, clear: 80, for: 10m, severity: critical, policy: oncall, description: 'CPU at {{value}}% on {{host}}' }\n`;
    expect((await importText(onlyCpu)).result).toEqual({ created: 0, updated: 0, deleted: 0 });
    const { changes, result } = await importText(onlyCpu, true);
    expect(actions(changes.filter((c) => c.action === 'delete'))).toEqual([
      'delete rule Disk filling',
      'delete rule Host down',
      'delete rule OOM killer',
    ]);
    expect(formatDiff(changes)).toContain('- rule "Host down"');
    expect(result).toEqual({ created: 0, updated: 0, deleted: 3 });
    expect((await stored()).map((r) => `${r.kind} ${r.name}`).sort()).toEqual([
      'channel ops-email',
      'channel ops-webhook',
      'policy oncall',
      'rule High CPU',
      'silence Nightly backups',
    ]);
  });

  it('exports a document that imports as a no-op and holds no secrets', async () => {
    await importText(DOCUMENT);
    const before = await stored();
    const yaml = exportDocument(before);
    expect(yaml).not.toContain(WEBHOOK_SECRET);
    expect(yaml).not.toContain(SMTP_PASSWORD);
    expect(yaml).toContain(REDACTED);
    expect(yaml).toContain('delay: 15m');
    expect(yaml).toContain('startsAt: 2025-01-01T00:00:00Z');
    expect(yaml).not.toContain('enabled: true'); // defaults are left out

    const changes = diffConfig(before, await parse(yaml, true), { prune: true });
    expect(changes.map((c) => c.action)).toEqual(Array(8).fill('unchanged'));
    // The specs the export parses to are the stored ones, secrets included (kept through the marker).
    for (const c of changes) expect(c.after).toEqual(before.find((r) => r.kind === c.kind && r.name === c.name)?.spec);
    expect((await importText(yaml, true)).result).toEqual({ created: 0, updated: 0, deleted: 0 });
    expect(exportDocument(await stored())).toBe(yaml);
  });

  it('takes a new secret from the document, and removes one the document leaves out', async () => {
    await importText(DOCUMENT);
    const { changes } = await importText(
      DOCUMENT.replace(WEBHOOK_SECRET, 'a-brand-new-secret').replace(`      password: ${SMTP_PASSWORD}\n`, ''),
    );
    expect(changes.filter((c) => c.action === 'update').map((c) => [c.name, c.fields])).toEqual([
      ['ops-email', ['settings']],
      ['ops-webhook', ['settings']],
    ]);
    expect((await store.getConfig('channel', 'ops-webhook'))?.spec).toMatchObject({ settings: { secret: 'a-brand-new-secret' } });
    expect((await store.getConfig<{ settings: object }>('channel', 'ops-email'))?.spec.settings).not.toHaveProperty('password');
  });

  it('refuses a prune that would leave a stored policy naming a deleted channel', async () => {
    await importText(DOCUMENT);
    const text =
      'version: 1\nchannels:\n  - { name: ops-email, type: email, settings: { host: smtp.example.com, from: a@example.com, to: [a@example.com] } }\n';
    await expect(importText(text, true)).rejects.toThrow('policy "oncall" uses channel "ops-webhook", which this import deletes');
    expect(await store.getConfig('channel', 'ops-webhook')).not.toBeNull();
    expect((await store.getConfig('channel', 'ops-email'))?.updatedAt).toBe(T); // nothing was written
  });

  it('starts changed rules over: their pending/firing state is cleared, as through the API', async () => {
    await importText(DOCUMENT);
    const rule = await store.getConfig('rule', 'High CPU');
    await store.setRuleState({ ruleId: rule!.id, hostId: 'h1', seriesKey: '', state: 'firing', since: T, value: 97 }, T);
    await importText(DOCUMENT.replace('value: 90', 'value: 95'));
    expect(await store.ruleStates()).toEqual([]);
  });

  it('writes channels before policies before rules, and deletes the other way round', async () => {
    const calls: string[] = [];
    const fake: ConfigWriter = {
      async createConfig<S>(kind: ConfigKind, name: string, spec: S) {
        calls.push(`create ${kind} ${name}`);
        return { kind, id: name, name, spec, createdAt: T, updatedAt: T };
      },
      async updateConfig(kind: ConfigKind, id: string) {
        calls.push(`update ${kind} ${id}`);
        return true;
      },
      async deleteConfig(kind: ConfigKind, id: string) {
        calls.push(`delete ${kind} ${id}`);
        return true;
      },
    };
    const rec = (kind: ConfigKind, name: string): ConfigRecord => ({
      kind,
      id: `${kind}-${name}`,
      name,
      spec: {},
      createdAt: T,
      updatedAt: T,
    });
    const current = [rec('rule', 'r'), rec('channel', 'c'), rec('policy', 'p')];
    const changes: Change[] = [
      { kind: 'rule', name: 'new rule', action: 'create', after: {} as never },
      { kind: 'rule', name: 'r', action: 'delete' },
      { kind: 'channel', name: 'c', action: 'delete' },
      { kind: 'policy', name: 'new policy', action: 'create', after: {} as never },
      { kind: 'channel', name: 'new channel', action: 'create', after: {} as never },
      { kind: 'policy', name: 'p', action: 'delete' },
    ];
    expect(await applyChanges(fake, current, changes, T)).toEqual({ created: 3, updated: 0, deleted: 3 });
    expect(calls).toEqual([
      'create channel new channel',
      'create policy new policy',
      'create rule new rule',
      'delete rule rule-r',
      'delete policy policy-p',
      'delete channel channel-c',
    ]);
  });
});
