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
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { SAMPLES_QUIET_MS } from '../core/api/live-publish.js';
import { openCoordination } from '../core/bus/index.js';
import { TOPICS } from '../core/engine/types.js';
import { INGEST_PATH } from '../shared/protocol/index.js';
import * as L from './lib.js';
import { fmt, onCleanup, percentile, sleep } from './lib.js';
import { deleteRedisPrefix, redisPrefix, REDIS_URL } from './redis.js';

const env = (k: string, d: number) => Number(process.env[k] ?? d);
const HOSTS = env('BENCH_HOSTS', 1000);
const EVENTS = env('BENCH_EVENTS', 100);
const LOADS = env('BENCH_LOADS', 6);
const CHART_POINTS = env('BENCH_CHART_POINTS', 10_000);
const CHART_SECONDS = env('BENCH_CHART_SECONDS', 30);
const CHART_METRIC = 'mem.used_percent';
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

// Runs in the chart page (part 3). Always: counts the live samples of the bench host's metric that
// the chart appends (a timestamp after the newest one: what appendLive keeps). While __chart.recording:
// the interval between animation frames, long tasks, long animation frames (with their scripts), and
// for each such sample the time from its socket message to the next redraw of a chart canvas (uPlot
// starts each redraw with clearRect on its canvas) and to the frame after that redraw (a requestAnimationFrame
// callback then a posted message: that frame's rendering is done).
const chartProbe = (hostId: string, metric: string) => `
  const C = (window.__chart = { recording: false, appended: 0, lastTs: 0, frames: [], longTasks: [], loafs: [], toDraw: [], toPaint: [], pending: [] });
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => {
        const t0 = performance.now();
        if (typeof e.data !== 'string' || !e.data.includes('"samples"') || !e.data.includes(${JSON.stringify(hostId)})) return;
        const m = JSON.parse(e.data);
        if (m.event !== 'samples' || m.payload.hostId !== ${JSON.stringify(hostId)}) return;
        const v = m.payload.values.find((x) => x.metric === ${JSON.stringify(metric)});
        if (!v || v.ts <= C.lastTs) return;
        C.lastTs = v.ts;
        C.appended++;
        if (C.recording) C.pending.push(t0);
      });
    }
  };
  const clearRect = CanvasRenderingContext2D.prototype.clearRect;
  CanvasRenderingContext2D.prototype.clearRect = function (...args) {
    if (C.pending.length) {
      const t1 = performance.now();
      const started = C.pending.splice(0);
      for (const t0 of started) C.toDraw.push(t1 - t0);
      requestAnimationFrame(() => {
        const ch = new MessageChannel();
        ch.port1.onmessage = () => {
          const t2 = performance.now();
          for (const t0 of started) C.toPaint.push(t2 - t0);
        };
        ch.port2.postMessage(0);
      });
    }
    return clearRect.apply(this, args);
  };
  let last;
  const frame = (t) => {
    if (C.recording && last !== undefined) C.frames.push(t - last);
    last = t;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  const observe = (type, fn) => {
    try {
      new PerformanceObserver((l) => { if (C.recording) for (const e of l.getEntries()) fn(e); }).observe({ type, buffered: false });
    } catch {}
  };
  observe('longtask', (e) => C.longTasks.push(Math.round(e.duration)));
  observe('long-animation-frame', (e) =>
    C.loafs.push({
      duration: Math.round(e.duration),
      blocking: Math.round(e.blockingDuration),
      render: Math.round(e.startTime + e.duration - e.renderStart),
      scripts: e.scripts.map((s) => ({ invoker: s.invoker, fn: s.sourceFunctionName, src: s.sourceURL.split('/').pop(), ms: Math.round(s.duration) })),
    }),
  );
`;

interface ChartProbe {
  recording: boolean;
  appended: number;
  frames: number[];
  longTasks: number[];
  loafs: { duration: number; blocking: number; render: number; scripts: { invoker: string; fn: string; src: string; ms: number }[] }[];
  toDraw: number[];
  toPaint: number[];
  pending: number[];
}

/** A smooth, varied percentage for sample i (seconds). */
const wave = (i: number) => 50 + 25 * Math.sin(i / 600) + 10 * Math.sin(i / 37) + 5 * Math.sin(i * 1.7);

/**
 * How many x values the chart's uPlot instance holds, read through React's internals (the component's
 * ref hooks, from the chart's DOM node): a check of the setup, not a figure; undefined if not found.
 */
async function pointsHeld(page: Page): Promise<number | undefined> {
  return page.evaluate((name) => {
    type Hook = { memoizedState?: { current?: { data?: unknown[][]; setData?: unknown } }; next?: Hook };
    type Fiber = { memoizedState?: Hook; return?: Fiber };
    const doc = (globalThis as unknown as { document: { querySelector(s: string): Record<string, unknown> | null } }).document;
    const el = doc.querySelector(`[aria-label^="${name}"][role="img"]`);
    const key = el && Object.keys(el).find((k) => k.startsWith('__reactFiber$'));
    for (let f = key ? (el[key] as Fiber | undefined) : undefined; f; f = f.return)
      for (let h = f.memoizedState; h && typeof h === 'object'; h = h.next) {
        const u = h.memoizedState?.current;
        if (u && typeof u.setData === 'function' && Array.isArray(u.data?.[0])) return u.data[0].length;
      }
    return undefined;
  }, CHART_METRIC);
}

async function chartPart(server: L.Server, context: BrowserContext) {
  const [host] = await L.createHosts(server.url, 1, 'chart');
  const ingest = async (ts: number[]) => {
    const batch = {
      v: 1,
      batchId: `bench-chart-${ts[0]}-${ts.length}`,
      agent: { version: '0.1.0', intervalMs: 1000 },
      series: [{ name: CHART_METRIC, labels: {}, ts, values: ts.map((t) => wave(Math.round(t / 1000))) }],
      events: [],
    };
    const r = await L.httpRequest(server.ingestUrl + INGEST_PATH, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${host!.token}` },
      body: JSON.stringify(batch),
    });
    if (r.status !== 200) throw new Error(`ingest for ${host!.name}: ${r.status} ${r.body.toString()}`);
  };
  // History: CHART_POINTS samples 1 s apart, from 5 h 50 min ago (the 6 h range reads raw samples).
  const t0 = Math.floor(Date.now() / 1000) * 1000 - (6 * 3600 - 600) * 1000;
  await ingest(Array.from({ length: CHART_POINTS }, (_, i) => t0 + i * 1000));
  let nextTs = t0 + CHART_POINTS * 1000;

  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await page.addInitScript({ content: chartProbe(host!.id, CHART_METRIC) });
  await page.goto(`${server.url}/#/servers/${host!.id}?range=6h`);
  const canvas = page.getByRole('img', { name: `${CHART_METRIC}` }).locator('canvas');
  await canvas.first().waitFor({ timeout: 30_000 });
  await page.getByTestId('live-status').getByText('Live').waitFor();
  const probe = () => page.evaluate(() => (globalThis as unknown as { __chart: ChartProbe }).__chart);
  // The server stops building sample events for a while after one reached no page: let that pass.
  await sleep(SAMPLES_QUIET_MS + 500);

  // Fill: single-sample batches in timestamp order (4 in flight), until the page appended CHART_POINTS.
  const fillStart = performance.now();
  let posted = 0;
  while ((await probe()).appended < CHART_POINTS) {
    if (nextTs > Date.now() - 120_000) throw new Error(`the page appended only ${(await probe()).appended} of ${posted} samples`);
    for (let k = 0; k < 250; k += 4) {
      await Promise.all([0, 1, 2, 3].map((j) => ingest([nextTs + j * 1000])));
      nextTs += 4000;
      posted += 4;
    }
  }
  await sleep(2000);
  const filled = await probe();
  const held = await pointsHeld(page);
  console.log(
    `\n== chart: server detail page, ${CHART_METRIC} (one series), range 6 h; history ${CHART_POINTS} samples (fetched as 30 s buckets), then ${filled.appended} live samples appended (${posted} posted in ${fmt((performance.now() - fillStart) / 1000, 0)} s); the chart's uPlot holds ${held ?? 'n/a'} points ==`,
  );

  const heap = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    return (await cdp.send('Runtime.getHeapUsage')).usedSize / 1e6;
  };
  const record = async (on: boolean) =>
    page.evaluate((r) => {
      const c = (globalThis as unknown as { __chart: ChartProbe }).__chart;
      if (r) Object.assign(c, { frames: [], longTasks: [], loafs: [], toDraw: [], toPaint: [], pending: [] });
      c.recording = r;
    }, on);

  // Idle baseline: the same page, nothing posted.
  await record(true);
  await sleep(5000);
  await record(false);
  const idle = await probe();

  const heapBefore = await heap();
  await record(true);
  const start = Date.now();
  for (let i = 0; i < CHART_SECONDS; i++) {
    await ingest([Date.now()]);
    await sleep(start + (i + 1) * 1000 - Date.now());
  }
  await record(false);
  await sleep(500);
  const run = await probe();
  const heldAfter = await pointsHeld(page);
  const heapAfter = await heap();

  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
  const frames = sorted(run.frames);
  const idleFrames = sorted(idle.frames);
  const draw = sorted(run.toDraw);
  const paint = sorted(run.toPaint);
  const q = (xs: number[], p: number) => fmt(percentile(xs, p), 1);
  console.log(
    `idle (same page, 5 s, nothing posted): ${idleFrames.length} frames, frame p50 ${q(idleFrames, 0.5)} ms · p95 ${q(idleFrames, 0.95)} ms · p99 ${q(idleFrames, 0.99)} ms · max ${q(idleFrames, 1)} ms; long tasks ${idle.longTasks.length}`,
  );
  console.log(
    `1 sample/s for ${CHART_SECONDS} s: ${frames.length} frames, frame p50 ${q(frames, 0.5)} ms · p95 ${q(frames, 0.95)} ms · p99 ${q(frames, 0.99)} ms · max ${q(frames, 1)} ms`,
  );
  console.log(
    `  appends seen ${draw.length} (the chart holds ${heldAfter ?? 'n/a'} points at the end): socket → canvas redraw p50 ${q(draw, 0.5)} ms · p95 ${q(draw, 0.95)} ms · max ${q(draw, 1)} ms`,
  );
  console.log(
    `  socket → next frame after the redraw (append → paint) p50 ${q(paint, 0.5)} ms · p95 ${q(paint, 0.95)} ms · max ${q(paint, 1)} ms`,
  );
  console.log(`  long tasks (> 50 ms): ${run.longTasks.length}${run.longTasks.length ? ` (${run.longTasks.join(', ')} ms)` : ''}`);
  for (const l of run.loafs)
    console.log(
      `  long animation frame ${l.duration} ms (blocking ${l.blocking} ms, rendering ${l.render} ms): ${l.scripts.map((s) => `${s.invoker} ${s.fn || ''} ${s.src} ${s.ms} ms`).join('; ') || 'no script'}`,
    );
  console.log(`  JS heap after GC: ${fmt(heapBefore, 1)} MB → ${fmt(heapAfter, 1)} MB; load average ${loadavg()[0]!.toFixed(1)}`);
  // The probe sees jank: a 120 ms task in the page must show as a long frame and a long task.
  await record(true);
  await page.evaluate(() => {
    setTimeout(() => {
      const end = performance.now() + 120;
      while (performance.now() < end);
    }, 100);
  });
  await sleep(1000);
  await record(false);
  const check = await probe();
  const checkMax = Math.max(...check.frames);
  console.log(`  probe check, a 120 ms busy task: longest frame ${fmt(checkMax, 1)} ms, long tasks ${check.longTasks.length}`);
  if (checkMax < 100 || check.longTasks.length === 0) throw new Error('the page probe did not see a 120 ms busy task');
  await page.close();
  console.log(
    `chart ${held ?? `≤ ${CHART_POINTS}`} points, 1 update/s: frame p95 ${q(frames, 0.95)} ms, p99 ${q(frames, 0.99)} ms, long tasks ${run.longTasks.length} in ${CHART_SECONDS} s, append→paint p95 ${q(paint, 0.95)} ms, heap ${heapAfter >= heapBefore ? '+' : ''}${fmt(heapAfter - heapBefore, 1)} MB`,
  );
}

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
