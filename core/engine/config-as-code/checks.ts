// What the schemas cannot see because it spans items: duplicate names within a kind, references from
// rules to policies and from policy levels to channels, and secret markers on channels that have no
// stored secret to keep. Runs on the raw document so these errors come together with schema errors.
import { REDACTED } from '../../../shared/alerting/index.js';
import { KINDS, SECRET_KEYS, isObject, type DocKey } from './kinds.js';

export interface Issue {
  path: (string | number)[];
  message: string;
}

/** Names that exist outside the document: stored policies and channels (ids are accepted as well). */
export interface Known {
  policies: string[];
  channels: string[];
}

const items = (raw: Record<string, unknown>, key: DocKey): unknown[] => (Array.isArray(raw[key]) ? raw[key] : []);
const nameOf = (item: unknown): string | null => (isObject(item) && typeof item.name === 'string' ? item.name.trim() : null);

export function checkDocument(raw: Record<string, unknown>, known: Known, prune: boolean): Issue[] {
  const issues: Issue[] = [];
  const names = new Map<DocKey, Set<string>>();
  for (const { key } of KINDS) {
    const seen = new Set<string>();
    items(raw, key).forEach((item, i) => {
      const n = nameOf(item);
      if (n === null) return;
      if (seen.has(n)) issues.push({ path: [key, i, 'name'], message: `duplicate name "${n}"` });
      seen.add(n);
    });
    names.set(key, seen);
  }
  // With prune, stored records of a kind the document lists are deleted: only the document's count.
  const available = (key: DocKey, stored: string[]) => {
    const set = new Set(names.get(key));
    if (!(prune && Array.isArray(raw[key]))) for (const n of stored) set.add(n);
    return set;
  };
  const policies = available('policies', known.policies);
  const channels = available('channels', known.channels);

  items(raw, 'rules').forEach((rule, i) => {
    if (isObject(rule) && typeof rule.policy === 'string' && !policies.has(rule.policy))
      issues.push({ path: ['rules', i, 'policy'], message: `unknown policy "${rule.policy}" (neither in this document nor stored)` });
  });
  items(raw, 'policies').forEach((policy, i) => {
    if (!isObject(policy) || !Array.isArray(policy.levels)) return;
    policy.levels.forEach((level: unknown, j) => {
      if (!isObject(level) || !Array.isArray(level.channels)) return;
      level.channels.forEach((c: unknown, k) => {
        if (typeof c === 'string' && !channels.has(c))
          issues.push({
            path: ['policies', i, 'levels', j, 'channels', k],
            message: `unknown channel "${c}" (neither in this document nor stored)`,
          });
      });
    });
  });
  const stored = new Set(known.channels);
  items(raw, 'channels').forEach((channel, i) => {
    const n = nameOf(channel);
    if (n === null || stored.has(n) || !isObject(channel) || !isObject(channel.settings)) return;
    for (const k of SECRET_KEYS)
      if (channel.settings[k] === REDACTED)
        issues.push({
          path: ['channels', i, 'settings', k],
          message: `"${REDACTED}" keeps the stored ${k}, but channel "${n}" is not stored yet: write the ${k} itself`,
        });
  });
  return issues;
}
