// A timeline language for the engine, in the spirit of Alertmanager's acceptance tests:
//   await tl.at(0, () => tl.push('web-1', { 'cpu.usage': 95 }));
//   tl.want({ channel: 'ops', event: 'triggered', between: [0, 1] });
// Time is a virtual clock in seconds from T0; each `at` moves it and runs one engine round. The
// stores, the coordination (in-process or Redis) and the webhook receiver are all real.
import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { expect } from 'vitest';
import {
  channelSchema,
  escalationPolicySchema,
  ruleSchema,
  silenceSchema,
  type ChannelInput,
  type EscalationPolicyInput,
  type RuleInput,
  type SilenceInput,
} from '../../shared/alerting/index.js';
import { openCoordination, type Coordination } from '../../core/bus/index.js';
import { Engine } from '../../core/engine/engine.js';
import type { Clock } from '../../core/engine/types.js';
import { AlertingStore } from '../../core/store/alerting/store.js';
import type { BatchWrite, Store } from '../../core/store/types.js';
import { REDIS_URL } from './stores.js';

export const T0 = Date.UTC(2026, 10, 20, 12, 0, 0);

export interface Received {
  channel: string;
  event: string;
  /** Seconds on the timeline when the engine sent it. */
  at: number;
  body: {
    event: string;
    incident: { id: string; title: string; status: string; description: string };
    step?: { level: number; pass: number };
  };
}

export class Receiver {
  readonly received: Received[] = [];
  /** Status codes to answer with, in order, before answering 200. */
  failures: number[] = [];
  private server: Server;
  url = '';

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const status = this.failures.shift() ?? 200;
        if (status === 200) {
          const body = JSON.parse(Buffer.concat(chunks).toString());
          this.received.push({ channel: req.url!.slice(1), event: body.event, at: (body.sentAt - T0) / 1000, body });
        }
        res.writeHead(status).end();
      });
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  close(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

export class Timeline {
  t = 0;
  readonly clock: Clock = { now: () => T0 + Math.round(this.t * 1000) };
  engine!: Engine;
  alerting!: AlertingStore;
  coordination!: Coordination;
  hosts = new Map<string, string>();
  private seq = 0;

  constructor(
    readonly store: Store,
    readonly receiver: Receiver,
    private team: boolean,
    private prefix = `wt-test-${randomBytes(4).toString('hex')}:`,
  ) {}

  async start(): Promise<Engine> {
    this.coordination = await openCoordination(this.team ? { redisUrl: REDIS_URL, prefix: this.prefix } : {});
    this.alerting = new AlertingStore(this.store.sql);
    this.engine = new Engine({
      store: this.store,
      alerting: this.alerting,
      coordination: this.coordination,
      clock: this.clock,
      log: pino({ level: process.env.TL_LOG ?? 'silent' }),
      instanceId: `test-${this.seq++}`,
    });
    await this.engine.start({ loop: false });
    return this.engine;
  }

  /** Stops the engine as a process exit would (the store stays): a restart test starts another. */
  async stop(): Promise<void> {
    await this.engine.stop();
    await this.coordination.close();
  }

  async host(name: string, labels: Record<string, string> = {}): Promise<string> {
    const h = await this.store.createHost({ name, labels });
    this.hosts.set(name, h.id);
    return h.id;
  }

  async config(c: {
    channels?: ChannelInput[];
    policies?: EscalationPolicyInput[];
    rules?: RuleInput[];
    silences?: SilenceInput[];
  }): Promise<void> {
    const now = this.clock.now();
    for (const ch of c.channels ?? []) await this.alerting.createConfig('channel', ch.name, channelSchema.parse(ch), now);
    for (const p of c.policies ?? []) await this.alerting.createConfig('policy', p.name, escalationPolicySchema.parse(p), now);
    for (const r of c.rules ?? []) await this.alerting.createConfig('rule', r.name, ruleSchema.parse(r), now);
    for (const s of c.silences ?? []) await this.alerting.createConfig('silence', s.name, silenceSchema.parse(s), now);
    await this.engine.reload();
  }

  webhook(name: string): ChannelInput {
    return { name, type: 'webhook', settings: { url: `${this.receiver.url}/${name}` } };
  }

  /** Moves the clock to `t` seconds, runs `fn` (pushes), then one engine round. */
  async at(t: number, fn?: () => Promise<unknown>): Promise<void> {
    expect(t).toBeGreaterThanOrEqual(this.t);
    this.t = t;
    await fn?.();
    await this.engine.settled();
    await this.engine.round();
  }

  /** Runs the engine at every second from now to `t` (timers, deliveries, heartbeats). */
  async until(t: number): Promise<void> {
    for (let s = Math.floor(this.t) + 1; s <= t; s++) await this.at(s);
  }

  /** Commits a batch for the host as ingest would, and hands it to the engine. */
  async push(
    host: string,
    values: Record<string, number>,
    opts: { labels?: Record<string, string>; events?: BatchWrite['events'] } = {},
  ): Promise<void> {
    const now = this.clock.now();
    const write: BatchWrite = {
      batchId: `tl-${randomBytes(8).toString('hex')}`,
      hostId: this.hosts.get(host)!,
      receivedAt: now,
      agentVersion: 'test',
      intervalMs: 10_000,
      series: Object.entries(values).map(([name, v]) => ({ name, labels: opts.labels ?? {}, ts: [now], values: [v] })),
      events: opts.events ?? [],
    };
    const results = await this.store.writeBatches([write], { maxSeriesPerHost: 1000 });
    this.engine.onCommitted([write], (i) => results[i]!.duplicate);
  }

  /** Notifications received so far, as [channel, event, at] for compact assertions. */
  get notifications(): [string, string, number][] {
    return this.receiver.received.map((r) => [r.channel, r.event, r.at]);
  }

  async incidents() {
    return this.alerting.listIncidents({ limit: 100 });
  }
}
