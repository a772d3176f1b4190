// Part 3 of bench:dashboard (see bench/dashboard.ts): a chart of 10,000 points updating every second,
// on the server detail page, measured in the page (frames, long tasks, append → paint, heap).
import { loadavg } from 'node:os';
import type { BrowserContext, Page } from 'playwright-core';
import { SAMPLES_QUIET_MS } from '../core/api/live-publish.js';
import { INGEST_PATH } from '../shared/protocol/index.js';
import * as L from './lib.js';
import { fmt, percentile, sleep } from './lib.js';

const CHART_POINTS = Number(process.env.BENCH_CHART_POINTS ?? 10_000);
const CHART_SECONDS = Number(process.env.BENCH_CHART_SECONDS ?? 30);
const CHART_METRIC = 'mem.used_percent';

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

export async function chartPart(server: L.Server, context: BrowserContext) {
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
