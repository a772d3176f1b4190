// Apply: writes a diff's changes to the store in an order that keeps every reference resolvable at
// each step: channels before the policies that name them, policies before rules; deletions run the
// other way round. The store has no multi-statement transaction here, so a failure midway leaves the
// steps before it applied; running the import again finishes the job (diff is by name, idempotent).
import type { AlertingStore } from '../../store/alerting/store.js';
import type { ConfigRecord } from '../../store/alerting/types.js';
import type { Change } from './diff.js';
import { KIND_ORDER } from './kinds.js';
import { danglingReferences } from './references.js';

/**
 * clearRuleState is optional: given it (a real AlertingStore has it), changed and deleted rules lose
 * their pending/firing state, as they do through the API, because the old condition no longer applies.
 */
export type ConfigWriter = Pick<AlertingStore, 'createConfig' | 'updateConfig' | 'deleteConfig'> &
  Partial<Pick<AlertingStore, 'clearRuleState'>>;

export interface ApplyResult {
  created: number;
  updated: number;
  deleted: number;
}

const rank = (c: Change) => KIND_ORDER.indexOf(c.kind);

export async function applyChanges(store: ConfigWriter, current: ConfigRecord[], changes: Change[], now: number): Promise<ApplyResult> {
  const dangling = danglingReferences(current, changes);
  if (dangling.length) throw new Error(`refusing to apply: ${dangling.join('; ')}`);
  const result: ApplyResult = { created: 0, updated: 0, deleted: 0 };
  const clearState = async (c: Change, id: string) => {
    if (c.kind === 'rule') await store.clearRuleState?.(id);
  };
  const idOf = (c: Change) => {
    const record = current.find((r) => r.kind === c.kind && r.name === c.name);
    if (!record) throw new Error(`cannot ${c.action} ${c.kind} "${c.name}": it is not stored (the diff is stale)`);
    return record.id;
  };
  const writes = changes.filter((c) => c.action === 'create' || c.action === 'update').sort((a, b) => rank(a) - rank(b));
  for (const c of writes) {
    if (!c.after) throw new Error(`${c.action} of ${c.kind} "${c.name}" has no spec`);
    if (c.action === 'create') {
      await store.createConfig(c.kind, c.name, c.after, now);
      result.created++;
      continue;
    }
    const id = idOf(c);
    if (await store.updateConfig(c.kind, id, c.name, c.after, now)) result.updated++;
    await clearState(c, id);
  }
  const deletes = changes.filter((c) => c.action === 'delete').sort((a, b) => rank(b) - rank(a));
  for (const c of deletes) {
    const id = idOf(c);
    if (await store.deleteConfig(c.kind, id)) result.deleted++;
    await clearState(c, id);
  }
  return result;
}
