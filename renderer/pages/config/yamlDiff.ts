// What the YAML view shows before applying: the server's dry run (which records a document would
// create, update or delete — the authority) and a line diff of the text as edited, in hunks with a
// little context, so a reviewer sees both what changes and where they typed it.
import type { Output } from '../../../shared/contract/index.js';

export type Change = Output<'importConfig'>['changes'][number];
export interface DiffLine {
  kind: 'same' | 'add' | 'del';
  text: string;
  /** 1-based line numbers in the old and new text (absent on the side the line is not in). */
  oldNo?: number;
  newNo?: number;
}
export interface Hunk {
  lines: DiffLine[];
}

/** Above this many cells the middle section is shown as removed-then-added instead of aligned. */
const MAX_CELLS = 4_000_000;

export function diffLines(before: string, after: string): DiffLine[] {
  const a = before.split('\n');
  const b = after.split('\n');
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }

  const out: DiffLine[] = [];
  const same = (i: number, j: number) => out.push({ kind: 'same', text: a[i]!, oldNo: i + 1, newNo: j + 1 });
  for (let i = 0; i < start; i++) same(i, i);
  out.push(...middle(a, b, start, endA, endB));
  for (let i = endA, j = endB; i < a.length; i++, j++) same(i, j);
  return out;
}

/** Longest common subsequence of a[start..endA) and b[start..endB), walked into lines. */
function middle(a: string[], b: string[], start: number, endA: number, endB: number): DiffLine[] {
  const n = endA - start;
  const m = endB - start;
  const del = (i: number): DiffLine => ({ kind: 'del', text: a[i]!, oldNo: i + 1 });
  const add = (j: number): DiffLine => ({ kind: 'add', text: b[j]!, newNo: j + 1 });
  if (n * m > MAX_CELLS || n === 0 || m === 0) {
    return [...Array.from({ length: n }, (_, k) => del(start + k)), ...Array.from({ length: m }, (_, k) => add(start + k))];
  }
  // lcs[i][j]: LCS length of a[start+i..endA) and b[start+j..endB), in one flat array.
  const w = m + 1;
  const lcs = new Uint32Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i * w + j] = a[start + i] === b[start + j] ? lcs[(i + 1) * w + j + 1]! + 1 : Math.max(lcs[(i + 1) * w + j]!, lcs[i * w + j + 1]!);
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[start + i] === b[start + j]) {
      out.push({ kind: 'same', text: a[start + i]!, oldNo: start + i + 1, newNo: start + j + 1 });
      i++;
      j++;
    } else if (lcs[(i + 1) * w + j]! >= lcs[i * w + j + 1]!) out.push(del(start + i++));
    else out.push(add(start + j++));
  }
  while (i < n) out.push(del(start + i++));
  while (j < m) out.push(add(start + j++));
  return out;
}

/** Changed lines with `context` unchanged lines around them; runs of unchanged lines in between are left out. */
export function toHunks(lines: DiffLine[], context = 2): Hunk[] {
  const keep = lines.map(() => false);
  lines.forEach((l, k) => {
    if (l.kind === 'same') return;
    for (let c = Math.max(0, k - context); c <= Math.min(lines.length - 1, k + context); c++) keep[c] = true;
  });
  const hunks: Hunk[] = [];
  let current: DiffLine[] | null = null;
  lines.forEach((l, k) => {
    if (!keep[k]) return void (current = null);
    if (!current) hunks.push({ lines: (current = []) });
    current.push(l);
  });
  return hunks;
}

const ORDER: Change['action'][] = ['create', 'update', 'delete'];
const VERB: Record<Change['action'], string> = { create: 'Create', update: 'Update', delete: 'Delete', unchanged: 'Unchanged' };

/** The dry run's changes as sentences, creates first; "unchanged" only counted. */
export function describeChanges(changes: readonly Change[]): { lines: { action: Change['action']; text: string }[]; unchanged: number } {
  const lines = ORDER.flatMap((action) =>
    changes
      .filter((c) => c.action === action)
      .map((c) => ({ action, text: `${VERB[action]} ${c.kind} "${c.name}"${c.fields?.length ? ` (${c.fields.join(', ')})` : ''}` })),
  );
  return { lines, unchanged: changes.filter((c) => c.action === 'unchanged').length };
}
