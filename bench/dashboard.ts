// The dashboard in Debian's Chromium against a real server process in team mode (PostgreSQL in a
// fresh schema + Redis under a fresh prefix) with 1,000 hosts that each sent one realistic batch
// (~40 series: CPU per core, memory, disks, network, load).
//
// 1. First load of the overview: from navigation start to the page showing the host counts, open
//    incidents and the busiest hosts (in-page MutationObserver, performance.now()). The first load
//    runs with an empty browser cache; the following ones as a returning user's reload.
// 2. Bus → DOM: the bench triggers incidents through the API and listens on the server's bus
//    (Redis, topic incident.changed) itself; the time the bus delivered each incident is compared
//    with the time the incidents page shows its title (a MutationObserver in the page; same clock).
//
// 3. A chart of 10,000 points updating every second (issue 11): the server detail page's chart of one
//    metric (mem.used_percent: one series) in the 6-hour range. The page fetches history bucketed to
//    ~720 points (30 s steps) and keeps up to 10,000 by appending live samples, so the bench stores
//    10,000 samples of history (1 s apart), then posts 10,000 more as single-sample agent batches (past
//    timestamps, 1 s apart, in order) while the page is open: the chart holds 10,000 points, all from
//    the live-append path. Then one batch per second with the current time for BENCH_CHART_SECONDS.
//    Measured in the page: the interval between animation frames (p95/p99), long tasks (> 50 ms) and
//    long animation frames with their scripts, the time from the socket message carrying the sample
//    to the chart's canvas redraw and to the next frame after it ("append → paint"), and the page's JS
//    heap (after a forced GC) before and after.
//
//   npm run bench:dashboard     env: BENCH_HOSTS=1000 BENCH_EVENTS=100 BENCH_LOADS=6 BENCH_CHART_POINTS=10000
//                                    BENCH_CHART_SECONDS=30 WATCHTOWER_BENCH_PG_URL WATCHTOWER_BENCH_REDIS_URL
//   BENCH_DASHBOARD_ONLY=chart npm run bench:dashboard    runs some parts only (overview, bus, chart; comma-separated)
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import pg from 'pg';
import { chromium } from 'playwright-core';
import { openCoordination } from '../core/bus/index.js';
import { TOPICS } from '../core/engine/types.js';
import { INGEST_PATH } from '../shared/protocol/index.js';
import { chartPart } from './dashboard-chart.js';
import * as L from './lib.js';
import { fmt, onCleanup, percentile, sleep } from './lib.js';
import { deleteRedisPrefix, redisPrefix, REDIS_URL } from './redis.js';

const env = (k: string, d: number) => Number(process.env[k] ?? d);
const HOSTS = env('BENCH_HOSTS', 1000);
const EVENTS = env('BENCH_EVENTS', 100);
const LOADS = env('BENCH_LOADS', 6);
const PARTS = new Set((process.env.BENCH_DASHBOARD_ONLY ?? 'overview,bus,chart').split(',').map((p) => p.trim()));
const OPEN_INCIDENTS = 30;
const CHROMIUM = process.env.WATCHTOWER_CHROMIUM ?? '/usr/bin/chromium';
const OWNER = { username: 'bench', password: 'bench-password-not-secret' }; // bench/lib.ts signs up the same owner

/** One agent-like batch: per-core CPU, memory, two disks, two interfaces, load. */
function batchFor(i: number, ts: number) {
  const s = (name: string, labels: Record<string, string>, value: number) => ({ name, labels, ts: [ts], values: [value] });
  const series = [];
  for (const cpu of ['total', '0', '1', '2', '3']) {
    const busy = (i * 37 + Number(cpu === 'total' ? 9 : cpu) * 11) % 100;
    series.push(
      s('cpu.usage', { cpu }, busy),
      s('cpu.user', { cpu }, busy * 0.7),
      s('cpu.system', { cpu }, busy * 0.2),
      s('cpu.iowait', { cpu }, 1),
    );
  }
  series.push(s('mem.used_percent', {}, (i * 13) % 100), s('mem.used', {}, 2e9), s('mem.total', {}, 8e9), s('mem.available', {}, 6e9));
  for (const [mount, device] of [
    ['/', 'sda1'],
    ['/var', 'sdb1'],
  ] as const) {
    const l = { mount, device, fstype: 'ext4' };
    series.push(s('disk.used_percent', l, (i * 7) % 100), s('disk.used', l, 1e10), s('disk.total', l, 5e10));
  }
  for (const iface of ['eth0', 'eth1']) series.push(s('net.rx_bytes', { iface }, 1e5), s('net.tx_bytes', { iface }, 5e4));
  series.push(
    s('load.1', {}, 0.5),
    s('load.5', {}, 0.4),
    s('load.15', {}, 0.3),
    s('system.uptime', {}, 1e6),
    s('system.processes', {}, 200),
  );
  return { v: 1, batchId: `bench-dash-${i}-${ts}`, agent: { version: '0.1.0', intervalMs: 10_000 }, series, events: [] };
}

async function seed(server: L.Server, hosts: L.BenchHost[]): Promise<number> {
  let next = 0;
  let series = 0;
  const worker = async () => {
    while (next < hosts.length) {
      const i = next++;
      const body = JSON.stringify(batchFor(i, Date.now()));
      const r = await L.httpRequest(server.ingestUrl + INGEST_PATH, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${hosts[i]!.token}` },
        body,
      });
      if (r.status !== 200) throw new Error(`ingest for ${hosts[i]!.name}: ${r.status} ${r.body.toString()}`);
      series += (JSON.parse(body) as { series: unknown[] }).series.length;
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return series;
}

const api = async (url: string, path: string, body: unknown) => {
  const r = await L.httpRequest(url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (r.status >= 300) throw new Error(`POST ${path}: ${r.status} ${r.body.toString()}`);
  return JSON.parse(r.body.toString()) as unknown;
};

// Runs in the page before its scripts (as text: this file has no DOM types): marks when the overview
// shows the host counts, the open incidents and the busiest hosts.
const overviewProbe = (expectedHosts: number) => `
  window.__ready = {};
  const check = () => {
    const r = window.__ready;
    const up = document.querySelector('[data-testid="hosts-up"]');
    const down = document.querySelector('[data-testid="hosts-down"]');
    if (!r.counts && up && down && Number(up.textContent) + Number(down.textContent) === ${expectedHosts}) r.counts = performance.now();
    if (!r.incidents && Number(document.querySelector('[data-testid="open-critical"]')?.textContent ?? 0) > 0) r.incidents = performance.now();
    if (!r.busiest && document.querySelector('[data-testid="busiest"] tbody tr')) r.busiest = performance.now();
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, characterData: true });
`;

// Runs in the page: the wall-clock time each "bench-live-N" title first appears.
// Also stamps when the page's WebSocket received each one (its listener runs before the app's).
const titleProbe = `
  window.__seen = {};
  window.__ws = {};
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => {
        const now = Date.now();
        for (const m of String(e.data).matchAll(/bench-live-(\\d+)/g)) window.__ws[m[1]] ??= now;
      });
    }
  };
  new MutationObserver((records) => {
    const now = Date.now();
    for (const r of records)
      for (const n of r.addedNodes)
        for (const m of (n.textContent ?? '').matchAll(/bench-live-(\\d+)/g)) window.__seen[m[1]] ??= now;
  }).observe(document, { subtree: true, childList: true, characterData: true });
`;

type Ready = { counts: number; incidents: number; busiest: number };
// What the probes leave on the page's window. Functions passed to page.waitForFunction/evaluate are
// serialized into the page (the dashboard's CSP forbids evaluating strings there), so each one names
// globalThis itself rather than calling a helper from this file.
type Probed = { __ready?: Ready; __seen?: Record<string, number>; __ws?: Record<string, number> };

async function main() {
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  const prefix = redisPrefix();
  const admin = new pg.Client({ connectionString: L.PG_URL });
  await admin.connect();
  onCleanup(async () => {
    const keys = await deleteRedisPrefix(prefix);
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).finally(() => admin.end());
    console.log(`dropped schema ${schema}, deleted ${keys} Redis keys under ${prefix}`);
  });
  const server = await L.startServer({
    dataDir: L.tempDir('wt-bench-dash-'),
    database: L.PG_URL,
    schema,
    env: { WATCHTOWER_REDIS_URL: REDIS_URL, WATCHTOWER_REDIS_PREFIX: prefix },
  });
  console.log(`server ${server.url} (PostgreSQL schema ${schema}, Redis prefix ${prefix}); parts: ${[...PARTS].join(', ')}`);
  if (PARTS.has('overview') || PARTS.has('bus')) {
    const hosts = await L.createHosts(server.url, HOSTS, 'dash');
    const series = await seed(server, hosts);
    for (let i = 0; i < OPEN_INCIDENTS; i++)
      await api(server.url, '/api/v1/incidents/test', {
        severity: (['critical', 'warning', 'info'] as const)[i % 3],
        title: `seeded incident ${i}`,
      });
    const latestBytes = (await L.httpRequest(`${server.url}/api/v1/latest`, {})).body.length;
    const summaryBytes = (await L.httpRequest(`${server.url}/api/v1/latest?metrics=cpu.usage,mem.used_percent,disk.used_percent`, {})).body
      .length;
    console.log(
      `seeded ${HOSTS} hosts, ${series} series (one batch each), ${OPEN_INCIDENTS} open incidents; GET /api/v1/latest = ${fmt(latestBytes / 1e6, 2)} MB, of the overview's three metrics ${fmt(summaryBytes / 1e6, 2)} MB`,
    );
  }

  const profile = L.tempDir('wt-bench-chromium-');
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 860 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  onCleanup(() => context.close());
  const page = context.pages()[0] ?? (await context.newPage());
  // Sign in through the page (the session cookie is what a browser user has).
  await page.goto(`${server.url}/`);
  await page
    .getByLabel('Name')
    .waitFor({ timeout: 15_000 })
    .catch(async (err: Error) => {
      throw new Error(`no sign-in page: ${err.message}\npage says: ${await page.locator('body').innerText()}`);
    });
  await page.getByLabel('Name').fill(OWNER.username);
  await page.getByLabel('Password').fill(OWNER.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  // The first measured load starts with an empty cache (the session cookie stays).
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.clearBrowserCache');

  // ---- 1. first load of the overview -------------------------------------------------------
  if (PARTS.has('overview')) {
    await page.addInitScript({ content: overviewProbe(HOSTS) });
    const loads: Ready[] = [];
    for (let i = 0; i < LOADS; i++) {
      await page.goto('about:blank');
      await page.goto(`${server.url}/#/`);
      await page.waitForFunction(() => Object.keys((globalThis as unknown as Probed).__ready ?? {}).length === 3, undefined, {
        timeout: 30_000,
      });
      loads.push(await page.evaluate(() => (globalThis as unknown as Probed).__ready!));
    }
    const [cold, ...warm] = loads;
    const med = (k: 'counts' | 'incidents' | 'busiest') =>
      percentile(
        warm.map((l) => l[k]).sort((a, b) => a - b),
        0.5,
      );
    console.log(`\n== first load of the overview, ${HOSTS} hosts (ms from navigation start; load average ${loadavg()[0]!.toFixed(1)}) ==`);
    console.log(
      `cold (empty cache):      hosts ${fmt(cold!.counts, 0)} · incidents ${fmt(cold!.incidents, 0)} · busiest hosts ${fmt(cold!.busiest, 0)}   (all shown: ${fmt(Math.max(cold!.counts, cold!.incidents, cold!.busiest), 0)} ms)`,
    );
    console.log(
      `reload (median of ${warm.length}): hosts ${fmt(med('counts'), 0)} · incidents ${fmt(med('incidents'), 0)} · busiest hosts ${fmt(med('busiest'), 0)}   (all shown, worst reload: ${fmt(Math.max(...warm.map((l) => Math.max(l.counts, l.incidents, l.busiest))), 0)} ms)`,
    );
  }

  // ---- 2. bus → DOM --------------------------------------------------------------------------
  if (PARTS.has('bus')) {
    const bus = await openCoordination({ redisUrl: REDIS_URL, prefix, log: { warn: () => {}, error: (o, m) => console.error(m, o) } });
    onCleanup(() => bus.close());
    const onBus = new Map<string, number>();
    await bus.subscribe(TOPICS.incident, (p) => {
      const m = /^bench-live-(\d+)$/.exec((p as { incident?: { title?: string } }).incident?.title ?? '');
      if (m) onBus.set(m[1]!, Date.now());
    });
    await page.addInitScript({ content: titleProbe });
    await page.goto('about:blank');
    await page.goto(`${server.url}/#/incidents`);
    await page.getByRole('heading', { name: 'Incidents' }).waitFor();
    await page.getByTestId('live-status').getByText('Live').waitFor();
    for (let i = 0; i < EVENTS; i++) {
      await api(server.url, '/api/v1/incidents/test', { severity: 'critical', title: `bench-live-${i}` });
      await sleep(100 + Math.random() * 100);
    }
    await page.waitForFunction((n) => Object.keys((globalThis as unknown as Probed).__seen ?? {}).length >= n, EVENTS, { timeout: 30_000 });
    const seen = await page.evaluate(() => (globalThis as unknown as Probed).__seen!);
    const ws = await page.evaluate(() => (globalThis as unknown as Probed).__ws!);
    const sorted = (xs: number[]) => xs.sort((a, b) => a - b);
    const lat = sorted([...onBus].map(([k, t]) => seen[k]! - t));
    const toWs = sorted([...onBus].map(([k, t]) => ws[k]! - t));
    const toDom = sorted([...onBus].map(([k]) => seen[k]! - ws[k]!));
    const line = (xs: number[]) =>
      `p50 ${fmt(percentile(xs, 0.5), 0)} ms · p95 ${fmt(percentile(xs, 0.95), 0)} ms · p99 ${fmt(percentile(xs, 0.99), 0)} ms · max ${fmt(xs[xs.length - 1]!, 0)} ms`;
    console.log(`\n== bus → DOM (incidents page, ${lat.length} incidents triggered through the API, ~150 ms apart) ==`);
    console.log(`bus → DOM:              ${line(lat)}   (target p95 ≤ 250 ms)`);
    console.log(`  bus → page's socket:  ${line(toWs)}`);
    console.log(`  socket → DOM:         ${line(toDom)}`);
  }

  console.log(
    `\nmachine: ${cpus().length} cores, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' / ')} (1/5/15 min) at the end`,
  );

  // ---- 3. a chart of 10,000 points, one new point per second -------------------------------------
  if (PARTS.has('chart')) await chartPart(server, context);
}

L.runMain('bench:dashboard', 600_000, main);
