// Escalation timer lateness with 10,000 pending timers, in process: the engine built as core/app.ts
// builds it (real clock, its 250 ms loop running), per mode — local: SQLite file + in-process
// coordination; team: PostgreSQL (fresh schema) + Redis (fresh prefix). 10,000 incidents open on a
// policy whose first level notifies a desktop channel (it publishes on the bus: no network) and whose
// second level waits an hour; each gets its first-level timer through engine.escalation.start with a
// due time spread uniformly over [now + 10 s, now + 40 s]. When all have fired, lateness =
// fired_at − due_at for every timer, read from the timers table. Firing does the real work (claim,
// delivery record, next level's timer); the deliveries then go out on the bus.
//
//   npm run bench:timers    env: BENCH_MODES=local,team BENCH_TIMERS=10000 BENCH_LEAD_SECONDS=10 BENCH_SPREAD_SECONDS=30
//                            BENCH_CONCURRENCY=8 (creation) BENCH_ENGINE_FIRST=0 WATCHTOWER_BENCH_PG_URL WATCHTOWER_BENCH_REDIS_URL
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { channelSchema, escalationPolicySchema } from '../shared/alerting/index.js';
import { openCoordination } from '../core/bus/index.js';
import { Engine } from '../core/engine/engine.js';
import { systemClock } from '../core/engine/types.js';
import { AlertingStore } from '../core/store/alerting/store.js';
import type { Incident } from '../core/store/alerting/types.js';
import { openStore } from '../core/store/index.js';
import type { SqlDb } from '../core/store/sql-db.js';
import { cpuWindow } from './cpu.js';
import { teamScratch } from './scratch.js';
import { fmt, onCleanup, percentile, PG_URL, runMain, sleep, tempDir } from './lib.js';
import { REDIS_URL } from './redis.js';

const env = (k: string, d: number) => Number(process.env[k] ?? d);
const N = env('BENCH_TIMERS', 10_000);
const LEAD_MS = env('BENCH_LEAD_SECONDS', 10) * 1000;
const SPREAD_MS = env('BENCH_SPREAD_SECONDS', 30) * 1000;
const CONCURRENCY = env('BENCH_CONCURRENCY', 8);
/** How long after the last due time the engine may take to fire the rest before the run gives up on them. */
const DRAIN_MS = 30_000;
const MODES = (process.env.BENCH_MODES ?? 'local,team').split(',').filter(Boolean);
for (const m of MODES) if (m !== 'local' && m !== 'team') throw new Error(`BENCH_MODES: unknown mode "${m}" (local, team)`);
const RUN = randomBytes(4).toString('hex');
/** 1: the engine runs while the timers are created (incidents arriving at a running engine) rather than starting after. */
const ENGINE_FIRST = process.env.BENCH_ENGINE_FIRST === '1';

/** Counts the calls through a SqlDb (a batch is one) and the time they take, by wrapping its methods in place. */
function meter(db: SqlDb): { calls: number; ms: number } {
  const m = { calls: 0, ms: 0 };
  const timed = async <T>(p: Promise<T>): Promise<T> => {
    const t = performance.now();
    try {
      return await p;
    } finally {
      Object.assign(m, { calls: m.calls + 1, ms: m.ms + performance.now() - t });
    }
  };
  const { all, run, batch } = db;
  db.all = <T>(sql: string, params?: unknown[]) => timed(all<T>(sql, params));
  db.run = (sql, params) => timed(run(sql, params));
  db.batch = (stmts) => timed(batch(stmts));
  return m;
}

/** Runs fn(0..n-1) with at most `limit` in flight. */
async function inParallel<T>(n: number, limit: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out = new Array<T>(n);
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      out[i] = await fn(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, worker));
  return out;
}

interface Result {
  label: string;
  lateness: Float64Array;
  unfired: number;
}

async function runMode(mode: string): Promise<Result> {
  const team = mode === 'team';
  const label = team ? 'team: postgres + redis' : 'local: sqlite + in-process';
  const { schema, prefix, admin, drop } = await teamScratch(team);
  const store = await openStore(team ? { url: PG_URL, schema } : { url: join(tempDir('wt-bench-timers-'), 'watchtower.db') });
  const coordination = await openCoordination(team ? { redisUrl: REDIS_URL, prefix } : {});
  const alerting = new AlertingStore(store.sql);
  const engine = new Engine({
    store,
    alerting,
    coordination,
    clock: systemClock,
    log: pino({ level: 'silent' }),
    instanceId: `${hostname()}:${process.pid}`,
  });
  let [stopped, closed] = [false, false];
  const stop = async () => void (stopped || ((stopped = true), await engine.stop()));
  const close = async () => void (closed || ((closed = true), await stop(), await coordination.close(), await store.close()));
  onCleanup(close);
  console.log(`\n== ${label}${team ? ` (schema ${schema}, Redis prefix ${prefix})` : ''}: ${N} timers ==`);

  const now = Date.now();
  await alerting.createConfig('channel', 'desk', channelSchema.parse({ name: 'desk', type: 'desktop' }), now);
  const policy = { name: 'bench', levels: [{ channels: ['desk'] }, { delay: '1h', channels: ['desk'] }] };
  await alerting.createConfig('policy', 'bench', escalationPolicySchema.parse(policy), now);
  // Counts the reconciles that reload every pending timer into the schedule (it held fewer than the table).
  const reloads = { n: 0, rows: 0 };
  const pendingTimers = alerting.pendingTimers.bind(alerting);
  alerting.pendingTimers = async (until, limit) => {
    const out = await pendingTimers(until, limit);
    if (until === Number.MAX_SAFE_INTEGER) Object.assign(reloads, { n: reloads.n + 1, rows: reloads.rows + out.length });
    return out;
  };
  const raw = { ...store.sql }; // the bench's own queries go around the meter
  const db = meter(store.sql);
  if (ENGINE_FIRST) await engine.start();
  reloads.n = reloads.rows = 0; // the engine's start reloads once by design

  let t = performance.now();
  const incidents: Incident[] = await inParallel(N, CONCURRENCY, async (i) => {
    const alert = { fingerprint: `bench-${RUN}-${i}`, source: 'test' as const, ruleId: null, hostId: null, dedupKey: null };
    const more = { title: `Bench timer ${i}`, description: '', severity: 'info' as const, labels: {}, value: null, policy: 'bench' };
    return (await alerting.triggerIncident({ ...alert, ...more, silenced: false }, Date.now())).incident;
  });
  const incidentMs = performance.now() - t;

  t = performance.now();
  // The first timer is due LEAD_MS after its creation starts, or later if creating them looks slower
  // (as long as the incidents took + 2 s; × 1.5 when the running engine competes): a timer must exist before it is due.
  const lead = Math.max(LEAD_MS, Math.ceil(incidentMs * (ENGINE_FIRST ? 1.5 : 1) + 2000));
  const base = Date.now() + lead;
  const due = Array.from({ length: N }, () => base + Math.round(Math.random() * SPREAD_MS));
  let createdLate = 0;
  await inParallel(N, CONCURRENCY, async (i) => {
    await engine.escalation.start(incidents[i]!, due[i]!);
    if (Date.now() > due[i]!) createdLate++;
  });
  const timerMs = performance.now() - t;
  // Started now, the engine's first reconcile puts every pending timer in the schedule (again: adds are idempotent), as after a restart.
  if (!ENGINE_FIRST) await engine.start();
  const reloadsDuringCreation = `${reloads.n} (${reloads.rows} timers re-added)`;
  reloads.n = reloads.rows = 0;
  console.log(
    `created ${N} incidents in ${fmt(incidentMs / 1000, 2)} s, then their ${N} timers in ${fmt(timerMs / 1000, 2)} s ` +
      `(${Math.round(N / (timerMs / 1000))}/s, ${CONCURRENCY} in parallel, engine ${ENGINE_FIRST ? 'running' : 'started after'}); ` +
      `due over [+${fmt(lead / 1000, 1)} s, +${fmt((lead + SPREAD_MS) / 1000, 1)} s] from then; ${createdLate} created after their due time; ` +
      `full schedule reloads by the engine meanwhile: ${ENGINE_FIRST ? reloadsDuringCreation : 'n/a (not running)'}`,
  );

  Object.assign(db, { calls: 0, ms: 0 });
  const cpu = await cpuWindow({ admin });
  const lastDue = Math.max(...due);
  const count = async (sql: string, params: unknown[] = []) => Number((await raw.all<{ n: unknown }>(sql, params))[0]!.n);
  const unfired = () => count('SELECT count(*) AS n FROM timers WHERE fired_at IS NULL AND due_at <= $1', [lastDue]);
  let left: number;
  while ((left = await unfired()) > 0 && Date.now() < lastDue + DRAIN_MS) await sleep(250);
  const doneAt = Date.now();
  const firstDue = Math.min(...due);
  console.log(
    (left
      ? `${left} timers still unfired ${DRAIN_MS / 1000} s after the last due time`
      : `all fired ${fmt((doneAt - lastDue) / 1000, 2)} s after the last due time`) +
      `: ${Math.round((N - left) / ((doneAt - firstDue) / 1000))} timers/s from the first due time on (offered ${Math.round(N / (SPREAD_MS / 1000))}/s); ` +
      `full schedule reloads: ${reloads.n}`,
  );
  const perTimer = (x: number) => fmt(x / (N - left), 1);
  console.log(
    `engine's database calls while firing (timers, their deliveries as far as sent): ${perTimer(db.calls)} per fired timer, ` +
      `${fmt(db.ms / db.calls, 2)} ms each on average (wall, event-loop waits included) → ${perTimer(db.ms)} ms per timer; the timer loop makes its calls one after another`,
  );
  console.log(await cpu());
  await stop(); // the round in progress finishes, deliveries included
  const neverFired = await unfired();
  const deliveries = await count("SELECT count(*) AS n FROM deliveries WHERE status = 'sent'");

  const rows = await raw.all<{ due_at: unknown; fired_at: unknown }>(
    "SELECT due_at, fired_at FROM timers WHERE due_at <= $1 AND fired_at IS NOT NULL AND fired_by <> 'cancelled'",
    [lastDue],
  );
  const lateness = Float64Array.from(rows, (r) => Number(r.fired_at) - Number(r.due_at)).sort();
  const thirds = [0, 1, 2].map((k) => {
    const part = rows.filter((r) => Number(r.due_at) - base >= (k * SPREAD_MS) / 3 && Number(r.due_at) - base < ((k + 1) * SPREAD_MS) / 3);
    return fmt(percentile(Float64Array.from(part, (r) => Number(r.fired_at) - Number(r.due_at)).sort(), 0.99), 0);
  });
  console.log(
    `${rows.length} fired timers read back; lateness p99 by due time (first/middle/last ${SPREAD_MS / 3000} s): ${thirds.join(' / ')} ms; ` +
      `min ${fmt(lateness[0] ?? NaN, 0)} ms; deliveries sent ${deliveries}`,
  );
  await close();
  await drop();
  return { label, lateness, unfired: neverFired };
}

runMain('bench:timers', 60_000 + MODES.length * (2 * LEAD_MS + SPREAD_MS + DRAIN_MS + 30_000), async () => {
  const results: Result[] = [];
  for (const mode of MODES) results.push(await runMode(mode));
  console.log('');
  for (const r of results) {
    const l = r.lateness;
    console.log(
      `timers (${r.label}): p50 ${fmt(percentile(l, 0.5), 0)} ms, p99 ${fmt(percentile(l, 0.99), 0)} ms, max ${fmt(l[l.length - 1] ?? NaN, 0)} ms over ${l.length} timers` +
        `${r.unfired ? ` (${r.unfired} never fired)` : ''}`,
    );
  }
});
