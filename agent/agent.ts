// One agent: every interval it collects a sample set, buffers it on disk as a batch, and lets the
// sender deliver it. Collection never waits on the network, so an outage costs buffer space only.
import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { encodeBatch, buildBatch, sampleCount } from './batch.js';
import { BatchBuffer } from './buffer.js';
import {
  collectAll,
  createCollectors,
  createLogTailer,
  createProcessCollector,
  readInventory,
  type CollectorContext,
  type LogPosition,
} from './collectors/index.js';
import type { AgentConfig } from './config.js';
import type { Log } from './log.js';
import { createPageTrimmer, type PageTrimmer } from './page-trim.js';
import { collectGarbage } from './runtime.js';
import { Sender } from './sender.js';

const INVENTORY_EVERY_MS = 60 * 60 * 1000;
/** The first batch after a start: soon, so a fresh install reports at once (rates need the priming second). */
const FIRST_CYCLE_MS = 1000;
/** Start-up's code pages go back after the first cycle, then hourly (rare paths: outages, inventory). */
const TRIM_AFTER_CYCLES = 1;
const TRIM_EVERY_MS = 60 * 60 * 1000;
/** See collectGarbage: once a minute, whatever the interval. */
const GC_EVERY_MS = 60 * 1000;

export class Agent {
  private buffer: BatchBuffer;
  private sender: Sender;
  private collectors = createCollectors();
  private processes;
  private logs;
  private timer: NodeJS.Timeout | null = null;
  private inventorySentAt = 0;
  private processesAt = 0;
  private positionsFile: string;
  private trimmer: PageTrimmer | null = null;
  private cycles = 0;
  private trimmedAt = 0;
  private collectedAt = Date.now();

  constructor(
    private cfg: AgentConfig,
    private log: Log,
  ) {
    this.buffer = new BatchBuffer(join(cfg.dataDir, 'buffer'), cfg.bufferBytes);
    this.sender = new Sender({
      server: cfg.server,
      token: cfg.token,
      buffer: this.buffer,
      log,
      backoff: { baseMs: Math.min(1000, cfg.backoffMaxMs), maxMs: cfg.backoffMaxMs },
    });
    this.processes = createProcessCollector({ top: cfg.topProcesses });
    this.logs = createLogTailer({
      files: cfg.logFiles,
      onError: (file, err) => log('warn', 'cannot read log file', { file, error: String(err) }),
    });
    this.positionsFile = join(cfg.dataDir, 'log-positions.json');
    this.logs.restore(this.readPositions());
    void createPageTrimmer().then((t) => (this.trimmer = t));
  }

  start(): void {
    const { batches, droppedSamples } = this.buffer.stats;
    this.log('info', 'agent started', { server: this.cfg.server, intervalMs: this.cfg.intervalMs, buffered: batches, droppedSamples });
    this.sender.start();
    // Prime the rate collectors so the first batch already carries CPU, disk and network rates.
    this.collect(Date.now());
    const tick = (next: number) => {
      this.timer = setTimeout(
        () => {
          this.cycle(Date.now());
          tick(Math.max(next + this.cfg.intervalMs, Date.now())); // no catch-up burst after a stall
        },
        Math.max(0, next - Date.now()),
      );
    };
    // The first batch goes out soon (a fresh install's first heartbeat, rates over the priming second),
    // then one every interval.
    tick(Date.now() + Math.min(FIRST_CYCLE_MS, this.cfg.intervalMs));
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    await this.sender.stop();
    this.logs.close();
  }

  /** One collection cycle: collect, buffer, wake the sender. */
  cycle(now: number): void {
    const { points, processes, events, ctx } = this.collect(now);
    const withInventory = now - this.inventorySentAt >= INVENTORY_EVERY_MS;
    points.push({ name: 'agent.dropped_samples', value: this.buffer.stats.droppedSamples });
    const batch = buildBatch({
      now,
      intervalMs: this.cfg.intervalMs,
      points,
      events,
      processes,
      ...(withInventory ? { inventory: readInventory(ctx) } : {}),
    });
    if (withInventory) this.inventorySentAt = now;
    const samples = sampleCount(batch);
    const dropped = this.buffer.append(encodeBatch(batch), samples);
    if (dropped) this.log('warn', 'buffer full: dropped the oldest samples', { dropped, bufferBytes: this.cfg.bufferBytes });
    this.log('debug', 'batch buffered', { batchId: batch.batchId, samples });
    if (this.cfg.logFiles.length) this.writePositions(this.logs.positions());
    this.sender.wake();
    if (now - this.collectedAt >= GC_EVERY_MS) {
      this.collectedAt = now;
      collectGarbage();
    }
    if (++this.cycles >= TRIM_AFTER_CYCLES && now - this.trimmedAt >= TRIM_EVERY_MS) this.trimPages(now);
  }

  private trimPages(now: number): void {
    if (!this.trimmer) return;
    this.trimmedAt = now;
    try {
      this.log('debug', 'start-up pages released', { kb: this.trimmer.trim() });
    } catch (err) {
      this.trimmer = null; // an optimisation only: never again, never fatal
      this.log('warn', 'cannot release start-up pages', { error: String(err) });
    }
  }

  private collect(now: number) {
    const ctx: CollectorContext = { procRoot: this.cfg.procRoot, sysRoot: this.cfg.sysRoot, rootfs: this.cfg.rootfs, now };
    const points = collectAll(this.collectors, ctx, (name, err) =>
      this.log('warn', 'collector failed', { collector: name, error: String(err) }),
    );
    let processes: ReturnType<typeof this.processes.collect> = [];
    // The first scan only primes CPU counters; it then runs every processIntervalMs.
    if (this.processesAt === 0 || now - this.processesAt >= Math.max(this.cfg.processIntervalMs, this.cfg.intervalMs) - 500) {
      this.processesAt = now;
      try {
        processes = this.processes.collect(ctx);
      } catch (err) {
        this.log('warn', 'collector failed', { collector: 'processes', error: String(err) });
      }
    }
    return { points, processes, events: this.logs.collect(now), ctx };
  }

  private readPositions(): LogPosition[] {
    try {
      return JSON.parse(readFileSync(this.positionsFile, 'utf8')) as LogPosition[];
    } catch {
      return [];
    }
  }

  private writePositions(p: LogPosition[]): void {
    writeFileSync(`${this.positionsFile}.tmp`, JSON.stringify(p));
    renameSync(`${this.positionsFile}.tmp`, this.positionsFile);
  }
}
