// The one reference check parseDocument cannot make: with prune, an import may delete a channel or
// policy that a stored record of a kind the document does not list still names (parseDocument only
// knows the stored names, not who uses them). Checked on the changes, before anything is written.
import type { ConfigRecord } from '../../store/alerting/types.js';
import type { Change } from './diff.js';
import { isObject } from './kinds.js';

/** Records that survive the changes but name a record they delete, as messages a person can act on. */
export function danglingReferences(current: ConfigRecord[], changes: Change[]): string[] {
  const key = (kind: string, name: string) => `${kind}\0${name}`;
  const mentioned = new Set(changes.map((c) => key(c.kind, c.name)));
  const deleted = new Map<string, string>(); // kind+name or kind+id → name
  for (const c of changes) if (c.action === 'delete') deleted.set(key(c.kind, c.name), c.name);
  // The engine resolves a reference by id as well as by name (AlertingStore.getConfig).
  for (const r of current) if (deleted.has(key(r.kind, r.name))) deleted.set(key(r.kind, r.id), r.name);

  const survivors = [
    ...changes.filter((c) => c.action !== 'delete').map((c) => ({ kind: c.kind, name: c.name, spec: c.after as unknown })),
    ...current.filter((r) => !mentioned.has(key(r.kind, r.name))),
  ];
  const problems: string[] = [];
  for (const s of survivors) {
    if (!isObject(s.spec)) continue;
    if (s.kind === 'rule' && typeof s.spec.policy === 'string') {
      const gone = deleted.get(key('policy', s.spec.policy));
      if (gone !== undefined) problems.push(`rule "${s.name}" uses policy "${gone}", which this import deletes`);
    }
    if (s.kind === 'policy' && Array.isArray(s.spec.levels)) {
      const names = s.spec.levels.flatMap((l: unknown) => (isObject(l) && Array.isArray(l.channels) ? l.channels : []));
      for (const n of new Set(names)) {
        const gone = typeof n === 'string' ? deleted.get(key('channel', n)) : undefined;
        if (gone !== undefined) problems.push(`policy "${s.name}" uses channel "${gone}", which this import deletes`);
      }
    }
  }
  return problems;
}
