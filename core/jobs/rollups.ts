// Keeps 1-minute rollups current: each run rolls up the minutes completed since the last run, and
// reaches back to cover samples that arrived late (agents replaying after an outage). Progress is
// kept in the store, so restarts and several instances (team mode) neither skip nor double count.
import type { Store } from '../store/types.js';
import { MINUTE } from '../store/types.js';

const floorMinute = (t: number) => Math.floor(t / MINUTE) * MINUTE;
/** Batches committed up to this long after their receipt time are still seen as late data. */
const COMMIT_MARGIN = MINUTE;

export async function rollupOnce(store: Store, now: number, rawRetentionMs: number): Promise<{ from: number; to: number; rows: number }> {
  const to = floorMinute(now);
  const doneTo = Number((await store.getMeta('rollup.doneTo')) ?? floorMinute(now - rawRetentionMs));
  const checkedAt = Number((await store.getMeta('rollup.checkedReceivedAt')) ?? 0);
  const late = await store.earliestSampleSince(checkedAt);
  const from = Math.max(floorMinute(now - rawRetentionMs), Math.min(doneTo, late === null ? doneTo : floorMinute(late)));
  const rows = to > from ? await store.rollup(from, to) : 0;
  await store.setMeta('rollup.doneTo', String(Math.max(to, doneTo)));
  await store.setMeta('rollup.checkedReceivedAt', String(now - COMMIT_MARGIN));
  return { from, to, rows };
}
