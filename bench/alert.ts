// Alert latency end to end: a real server process per store (SQLite in a temp dir; PostgreSQL in a
// fresh schema + Redis under a fresh prefix, i.e. team mode), a webhook receiver in this process,
// and the rule "custom.bench_breach > 0" (no "for") notifying it through a one-level policy. A
// paced (open-loop) background load of ordinary batches that never breach runs all along. Each
// probe posts custom.bench_breach=1 for a dedicated host and times send → webhook 'triggered'
// received; then posts 0 and waits for the auto-resolve's 'resolved' webhook, so the next probe
// opens a new incident. Prints the stages (ack, incident opened, webhook sent) to show where the
// time goes, and the CPU split (neighbours included) over the probe window.
//
//   npm run bench:alert     env: BENCH_STORES=sqlite,postgres BENCH_PROBES=100 BENCH_RATE=10000 BENCH_HOSTS=20
//                            BENCH_STORE_SECONDS=45 (probe budget per store) WATCHTOWER_BENCH_PG_URL WATCHTOWER_BENCH_REDIS_URL
import { randomBytes } from 'node:crypto';
import { createServer, Agent as HttpAgent } from 'node:http';
import { batchFactory } from './batches.js';
import { cpuWindow } from './cpu.js';
import { teamScratch } from './scratch.js';
import * as L from './lib.js';
import { redisClients, REDIS_URL } from './redis.js';
import { fmt, onCleanup, percentile, sleep, type BenchHost } from './lib.js';

const env = (k: string, d: number) => Number(process.env[k] ?? d);
const PROBES = env('BENCH_PROBES', 100);
const RATE = env('BENCH_RATE', 10_000);
const HOSTS = env('BENCH_HOSTS', 20);
const BUDGET_S = env('BENCH_STORE_SECONDS', 45);
const WARMUP_S = 3;
const STORES = (process.env.BENCH_STORES ?? 'sqlite,postgres').split(',').filter(Boolean);
for (const s of STORES) if (s !== 'sqlite' && s !== 'postgres') throw new Error(`BENCH_STORES: unknown store "${s}" (sqlite, postgres)`);
const RUN = randomBytes(4).toString('hex');
const json = { 'content-type': 'application/json' };

/** A webhook as received: the payload's fields we use, and performance.now() when its body had arrived. */
interface Hook {
  event: string;
  sentAt: number;
  incident: { id: string; title: string; triggeredAt: number };
  at: number;
}

/** The webhook receiver: `expect` resolves with the first matching webhook, arrived or yet to come. */
async function startReceiver() {
  const backlog: Hook[] = [];
  const waiters: { event: string; title: string; done: (h: Hook) => void }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const h = { ...(JSON.parse(Buffer.concat(chunks).toString()) as Omit<Hook, 'at'>), at: performance.now() };
      res.writeHead(200).end();
      const i = waiters.findIndex((w) => w.event === h.event && w.title === h.incident.title);
      if (i >= 0) waiters.splice(i, 1)[0]!.done(h);
      else backlog.push(h);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  onCleanup(() => new Promise((r) => server.close(r)));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`,
    backlog,
    expect(event: string, title: string, timeoutMs: number): Promise<Hook> {
      const i = backlog.findIndex((h) => h.event === event && h.incident.title === title);
      if (i >= 0) return Promise.resolve(backlog.splice(i, 1)[0]!);
      return new Promise((resolve, reject) => {
        const w = { event, title, done: (h: Hook) => (clearTimeout(timer), resolve(h)) };
        const fail = () => (waiters.splice(waiters.indexOf(w), 1), reject(new Error(`no '${event}' webhook within ${timeoutMs} ms`)));
        const timer = setTimeout(fail, timeoutMs);
        waiters.push(w);
      });
    },
  };
}

/** Paced background load: batch i (round robin over hosts) is due at i × interval, whatever the acks do. */
function startLoad(url: string, hosts: BenchHost[]) {
  const batches = batchFactory(hosts.length, RUN);
  const every = (batches.series * 1000) / RATE;
  const agent = new HttpAgent({ keepAlive: true, maxSockets: 32 });
  const s = { acked: 0, errors: 0, skipped: 0, inflight: 0, measuring: false, lat: [] as number[] };
  const k = new Array<number>(hosts.length).fill(0);
  let stopping = false;
  const loop = (async () => {
    const t0 = performance.now();
    for (let i = 0; !stopping; i++) {
      const wait = t0 + i * every - performance.now();
      if (wait > 0) await sleep(wait);
      if (stopping) break;
      if (s.inflight >= 64) {
        s.skipped++; // the server fell far behind: skip rather than queue without bound
        continue;
      }
      const h = i % hosts.length;
      const body = batches.build(h, k[h]!++, Date.now());
      const t = performance.now();
      s.inflight++;
      const headers = { authorization: `Bearer ${hosts[h]!.token}`, ...json, 'content-encoding': 'gzip', 'content-length': body.length };
      const ok = (r: L.HttpResponse) => {
        if (r.status !== 200) return void s.errors++;
        s.acked += (JSON.parse(r.body.toString()) as { accepted: number }).accepted;
        if (s.measuring) s.lat.push(performance.now() - t);
      };
      L.httpRequest(`${url}/ingest/v1/batches`, { method: 'POST', agent, headers, body })
        .then(ok, () => void s.errors++)
        .finally(() => s.inflight--);
    }
  })();
  return { s, stop: async () => ((stopping = true), await loop, await waitFor(() => s.inflight === 0, 10_000), agent.destroy()) };
}

/** The probe host's batch: custom.bench_breach = v and a few ordinary series. */
function probeBody(batchId: string, v: number): string {
  const ts = [Date.now()];
  const series = [
    { name: 'custom.bench_breach', ts, values: [v] },
    { name: 'cpu.usage', labels: { cpu: 'total' }, ts, values: [Math.random() * 100] },
    { name: 'mem.used_percent', ts, values: [Math.random() * 100] },
    { name: 'load.1', ts, values: [Math.random() * 4] },
  ];
  return JSON.stringify({ v: 1, batchId, agent: { version: '0.1.0-bench', intervalMs: 10_000 }, series, events: [] });
}

async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number, stepMs = 10): Promise<boolean> {
  for (const end = performance.now() + timeoutMs; performance.now() < end; await sleep(stepMs)) if (await cond()) return true;
  return false;
}

async function api(base: string, path: string, body: unknown): Promise<void> {
  const r = await L.httpRequest(`${base}${path}`, { method: 'POST', headers: json, body: JSON.stringify(body) });
  if (r.status !== 201) throw new Error(`POST ${path}: ${r.status} ${r.body.toString()}`);
}

interface Result {
  store: string;
  lat: number[];
  rate: number;
  errors: number;
}

async function runStore(store: string): Promise<Result> {
  const team = store === 'postgres';
  const dataDir = L.tempDir(`wt-bench-alert-${store}-`);
  const { schema, prefix, admin, drop } = await teamScratch(team);
  const server = await L.startServer({
    dataDir,
    ...(team ? { database: L.PG_URL, schema, env: { WATCHTOWER_REDIS_URL: REDIS_URL, WATCHTOWER_REDIS_PREFIX: prefix } } : {}),
  });
  const health = await L.getJson<{ mode: string; store: string }>(`${server.url}/healthz`);
  const rx = await startReceiver();
  await api(server.url, '/api/v1/channels', { name: 'bench', type: 'webhook', settings: { url: rx.url } });
  await api(server.url, '/api/v1/policies', { name: 'bench', levels: [{ channels: ['bench'] }] });
  const rule = { name: 'Bench breach', kind: 'threshold', metric: 'custom.bench_breach', op: '>', value: 0, policy: 'bench' };
  await api(server.url, '/api/v1/rules', rule);
  const hosts = await L.createHosts(server.url, HOSTS, 'bench');
  const [probe] = await L.createHosts(server.url, 1, 'probe');
  const title = `Bench breach on ${probe!.name}`;
  const viaRedis = team ? `, Redis prefix ${prefix} (${await redisClients(prefix)} server connections)` : '';
  console.log(`\n== ${store}: ${server.url} (mode ${health.mode}, store ${health.store}${team ? `, schema ${schema}` : ''}${viaRedis}) ==`);

  const load = startLoad(server.ingestUrl, hosts);
  await sleep(WARMUP_S * 1000);
  const probeAgent = new HttpAgent({ keepAlive: true, maxSockets: 1 });
  onCleanup(() => probeAgent.destroy());
  let seq = 0;
  const post = (v: number) =>
    L.httpRequest(`${server.ingestUrl}/ingest/v1/batches`, {
      method: 'POST',
      agent: probeAgent,
      headers: { authorization: `Bearer ${probe!.token}`, ...json },
      body: probeBody(`probe-${RUN}-${store}-${seq++}`, v),
    });

  const stage = { ack: [] as number[], opened: [] as number[], sent: [] as number[], lat: [] as number[] };
  let errors = 0;
  let notYetSent = 0; // webhook received, but its delivery not yet marked sent: clearing now would resolve without a 'resolved' webhook
  const note = (what: string) => (errors++, console.log(`probe ${stage.lat.length + errors}: ${what}`));
  const t0 = performance.now();
  const cpu = await cpuWindow({ serverPid: server.pid, admin });
  const acked0 = load.s.acked;
  load.s.measuring = true;
  for (let i = 0; i < PROBES && performance.now() - t0 < BUDGET_S * 1000; i++) {
    const triggered = rx.expect('triggered', title, 10_000);
    const sendAt = performance.now();
    const sendWall = Date.now();
    const r = await post(1);
    const ackMs = performance.now() - sendAt;
    if (r.status !== 200) note(`breach batch answered ${r.status}`);
    const hook = await triggered.catch((err: Error) => void note(err.message));
    if (hook) {
      stage.lat.push(hook.at - sendAt);
      stage.ack.push(ackMs);
      stage.opened.push(hook.incident.triggeredAt - sendWall);
      stage.sent.push(hook.sentAt - sendWall);
      // Resolve notifies only channels whose 'triggered' delivery is recorded as sent, which happens just after our 200.
      const sentOk = async () =>
        (
          await L.getJson<{ deliveries: { event: string; status: string }[] }>(`${server.url}/api/v1/incidents/${hook.incident.id}`)
        ).deliveries.some((d) => d.event === 'triggered' && d.status === 'sent');
      if (!(await sentOk())) {
        notYetSent++;
        if (!(await waitFor(sentOk, 5000, 2))) note('triggered delivery never recorded as sent');
      }
    }
    const resolved = rx.expect('resolved', title, 10_000);
    if ((await post(0)).status !== 200) note('clear batch refused');
    await resolved.catch((err: Error) => void note(err.message));
    await sleep(20 + Math.random() * 80);
  }
  const seconds = (performance.now() - t0) / 1000;
  load.s.measuring = false;
  const cpuLine = await cpu();
  const rate = (load.s.acked - acked0) / seconds;
  await load.stop();

  const q = (xs: number[]) => {
    const s = Float64Array.from(xs).sort();
    return `${fmt(percentile(s, 0.5))}/${fmt(percentile(s, 0.99))}`;
  };
  console.log(`${stage.lat.length} breaches in ${fmt(seconds, 1)} s; stages, p50/p99 ms after the breach batch was sent:`);
  console.log(
    `  ack ${q(stage.ack)} · incident opened ${q(stage.opened)} · webhook sent ${q(stage.sent)} · webhook received ${q(stage.lat)}`,
  );
  const slowest = stage.lat
    .map((lat, i) => ({ lat, i }))
    .sort((a, b) => b.lat - a.lat)
    .slice(0, 3)
    .map(({ lat, i }) => `${fmt(lat, 0)} (ack ${fmt(stage.ack[i]!, 0)}, opened ${stage.opened[i]}, sent ${stage.sent[i]})`);
  console.log(`  slowest, ms: ${slowest.join('; ')}; delivery not yet marked sent when its webhook arrived: ${notYetSent}×`);
  console.log(
    `background: ${Math.round(rate)} samples/s acked (offered ${RATE}), ack p50/p99 ${q(load.s.lat)} ms, errors ${load.s.errors}, skipped ${load.s.skipped}; stray webhooks ${rx.backlog.length}`,
  );
  console.log(cpuLine);
  await server.stop();
  await drop();
  return { store, lat: stage.lat, rate, errors: errors + load.s.errors };
}

L.runMain('bench:alert', 30_000 + STORES.length * (BUDGET_S + 35) * 1000, async () => {
  const results: Result[] = [];
  for (const store of STORES) results.push(await runStore(store));
  console.log('');
  for (const r of results) {
    const s = Float64Array.from(r.lat).sort();
    console.log(
      `alert (${r.store}): p50 ${fmt(percentile(s, 0.5))} ms, p99 ${fmt(percentile(s, 0.99))} ms over ${s.length} breaches with background ${Math.round(r.rate)} samples/s (errors: ${r.errors})`,
    );
  }
});
