// What an import would change: records are matched by (kind, name) and compared on their parsed
// specs, so formatting, key order and "5m" vs 300 make no difference.
import type { ChannelSpec } from '../../../shared/alerting/index.js';
import type { ConfigKind, ConfigRecord } from '../../store/alerting/types.js';
import type { ParsedDoc } from './document.js';
import { KINDS, byName, deepEqual, isObject, type ConfigSpec, type SecretKey } from './kinds.js';

export type ChangeAction = 'create' | 'update' | 'delete' | 'unchanged';

export interface Change {
  kind: ConfigKind;
  name: string;
  action: ChangeAction;
  /** The stored spec (update, delete, unchanged). */
  before?: ConfigSpec;
  /** The spec to store (create, update, unchanged), with kept secrets filled in. */
  after?: ConfigSpec;
  /** Top-level spec fields that differ (update only). */
  fields?: string[];
}

export interface DiffOptions {
  /** Delete stored records of the kinds the document lists that the document does not mention. */
  prune: boolean;
}

/** Changes in dependency order (channels, policies, rules, silences), by name within a kind. */
export function diffConfig(current: ConfigRecord[], desired: ParsedDoc, opts: DiffOptions): Change[] {
  const changes: Change[] = [];
  for (const { kind, key } of KINDS) {
    const wanted: ConfigSpec[] | undefined = desired[key];
    if (!wanted) continue; // a kind the document does not list is not managed by it
    const stored = new Map(current.filter((r) => r.kind === kind).map((r) => [r.name, r.spec as ConfigSpec]));
    for (const spec of [...wanted].sort(byName)) {
      const before = stored.get(spec.name);
      const after = kind === 'channel' ? keepSecrets(spec as ChannelSpec, before, desired.keepSecrets.get(spec.name)) : spec;
      if (before === undefined) changes.push({ kind, name: spec.name, action: 'create', after });
      else {
        const fields = changedFields(before, after);
        changes.push({
          kind,
          name: spec.name,
          action: fields.length ? 'update' : 'unchanged',
          before,
          after,
          ...(fields.length ? { fields } : {}),
        });
      }
      stored.delete(spec.name);
    }
    if (opts.prune)
      for (const [name, before] of [...stored].sort(([a], [b]) => byName({ name: a }, { name: b })))
        changes.push({ kind, name, action: 'delete', before });
  }
  return changes;
}

/** A REDACTED marker in the document stands for the stored secret: put it back into the desired spec. */
function keepSecrets(spec: ChannelSpec, before: ConfigSpec | undefined, keys: SecretKey[] | undefined): ChannelSpec {
  const stored: unknown = before && 'settings' in before ? before.settings : undefined;
  if (!keys?.length || !isObject(stored)) return spec;
  const settings: Record<string, unknown> = { ...spec.settings };
  for (const k of keys) if (typeof stored[k] === 'string') settings[k] = stored[k];
  return { ...spec, settings } as ChannelSpec;
}

function changedFields(before: ConfigSpec, after: ConfigSpec): string[] {
  const b = before as Record<string, unknown>;
  const a = after as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])];
  return keys.filter((k) => !deepEqual(b[k], a[k]));
}

const SYMBOL: Record<ChangeAction, string> = { create: '+', update: '~', delete: '-', unchanged: ' ' };

/** `+ rule "High CPU"`, `~ policy "oncall": levels, repeat`, `- silence "old"`, then the counts. */
export function formatDiff(changes: Change[]): string {
  const lines = changes
    .filter((c) => c.action !== 'unchanged')
    .map((c) => `${SYMBOL[c.action]} ${c.kind} "${c.name}"${c.fields ? `: ${c.fields.join(', ')}` : ''}`);
  const n = (a: ChangeAction) => changes.filter((c) => c.action === a).length;
  const counts = `${n('create')} to create, ${n('update')} to update, ${n('delete')} to delete, ${n('unchanged')} unchanged`;
  lines.push(lines.length ? counts : `no changes (${n('unchanged')} unchanged)`);
  return lines.join('\n');
}
