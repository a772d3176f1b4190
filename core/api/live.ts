// The live stream: every instance subscribes to the bus topics of the live events, stamps each
// event with its own sequence number, keeps the last ones in a bounded buffer, and fans them out
// to its WebSocket clients. A client that reconnects with its last seq (and instance) gets what
// it missed from the buffer, or one 'resync' when the buffer cannot cover the gap.
// In team mode the bus is Redis pub/sub, so an event published on any instance reaches the
// clients of every instance.
import { randomBytes } from 'node:crypto';
import websocket from '@fastify/websocket';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import { LIVE_PATH, liveEvents, liveQuerySchema, type LiveControlName, type LiveEventName } from '../../shared/contract/events.js';
import type { Coordination } from '../bus/types.js';
import { TOPICS } from '../engine/types.js';
import type { Principal } from '../auth/service.js';
import { HttpError } from './errors.js';

/** The bus topic each live event travels on (the engine's and the deployer's own, `live.<event>` for ingest's). */
const TOPIC_OF: Record<LiveEventName, string> = {
  incident: TOPICS.incident,
  host: 'live.host',
  samples: 'live.samples',
  'deploy.progress': 'deploy.progress', // core/deploy/deployer.ts PROGRESS_TOPIC
};
export const liveTopic = (event: LiveEventName): string => TOPIC_OF[event];

export interface LiveHubOptions {
  coordination: Coordination;
  log: Logger;
  /** Names this instance; a random suffix makes every start a new stream. */
  instanceId: string;
  /** Envelopes kept for resuming clients. */
  bufferSize?: number;
  /** A client further behind than this many bytes is disconnected (it resumes when it reconnects). */
  maxClientBacklogBytes?: number;
  /** How often each client's session or token is checked again (sign-out and revocation end streams too). */
  recheckEveryMs?: number;
}

/** Close code for a stream whose session ended or whose token was revoked (4000–4999: application codes). */
export const CLOSE_UNAUTHORIZED = 4401;

interface Stamped {
  seq: number;
  text: string;
}

export class LiveHub {
  readonly instance: string;
  private seq = 0;
  private buffer: Stamped[] = [];
  private clients = new Map<WebSocket, () => Promise<boolean>>();
  private unsubscribes: (() => Promise<void>)[] = [];
  /** 'samples' is only listened to while a client is attached (it is most of the bus's traffic). */
  private samples: { unsubscribe: Promise<() => Promise<void>> } | null = null;
  /** The seq when samples last stopped being listened to: a client resuming from before it resyncs. */
  private samplesMissedAfter = -1;
  private recheckTimer: NodeJS.Timeout | undefined;
  private bufferSize: number;
  private maxBacklog: number;

  constructor(private o: LiveHubOptions) {
    this.instance = `${o.instanceId}:${randomBytes(4).toString('hex')}`;
    this.bufferSize = o.bufferSize ?? 2000;
    this.maxBacklog = o.maxClientBacklogBytes ?? 8 * 1024 * 1024;
  }

  async start(): Promise<void> {
    for (const event of Object.keys(liveEvents) as LiveEventName[]) {
      if (event === 'samples') continue;
      this.unsubscribes.push(await this.o.coordination.subscribe(liveTopic(event), (payload) => this.push(event, payload)));
    }
    this.samplesMissedAfter = this.seq;
    this.recheckTimer = setInterval(() => void this.recheck(), this.o.recheckEveryMs ?? 30_000);
    this.recheckTimer.unref();
  }

  /** Closes the streams whose credentials no longer hold. */
  async recheck(): Promise<void> {
    for (const [ws, stillValid] of [...this.clients]) {
      if (await stillValid().catch(() => true)) continue; // a store hiccup is not a sign-out
      this.detach(ws);
      ws.close(CLOSE_UNAUTHORIZED, 'session ended or token revoked; sign in again');
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.recheckTimer);
    for (const u of this.unsubscribes.splice(0)) await u();
    await this.unwatchSamples();
    for (const ws of this.clients.keys()) ws.close(1001, 'server shutting down');
    this.clients.clear();
  }

  get lastSeq(): number {
    return this.seq;
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Stamps, buffers and sends one event; a payload off its schema is logged and dropped, never sent. */
  push(event: LiveEventName, payload: unknown): void {
    const parsed = liveEvents[event].safeParse(payload);
    if (!parsed.success) {
      this.o.log.warn({ event, issues: parsed.error.issues.slice(0, 3) }, 'live event off its schema; dropped');
      return;
    }
    const stamped = { seq: ++this.seq, text: JSON.stringify({ seq: this.seq, instance: this.instance, event, payload: parsed.data }) };
    this.buffer.push(stamped);
    if (this.buffer.length > this.bufferSize) this.buffer.splice(0, this.buffer.length - this.bufferSize);
    for (const ws of this.clients.keys()) this.send(ws, stamped.text);
  }

  private watchSamples(): void {
    if (this.samples) return;
    this.samples = { unsubscribe: this.o.coordination.subscribe(liveTopic('samples'), (payload) => this.push('samples', payload)) };
    this.samples.unsubscribe.catch((err) => this.o.log.warn({ err }, 'cannot subscribe to live samples'));
  }

  private async unwatchSamples(): Promise<void> {
    const current = this.samples;
    if (!current) return;
    this.samples = null;
    this.samplesMissedAfter = this.seq;
    await (
      await current.unsubscribe.catch(() => async () => {})
    )();
  }

  private detach(ws: WebSocket): void {
    if (this.clients.delete(ws) && this.clients.size === 0) void this.unwatchSamples();
  }

  private send(ws: WebSocket, text: string): void {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > this.maxBacklog) {
      // Too slow to keep up: it catches up from the buffer (or resyncs) when it reconnects.
      ws.close(1013, 'too far behind; reconnect to resume');
      this.detach(ws);
      return;
    }
    ws.send(text);
  }

  private control<C extends LiveControlName>(event: C, payload: unknown): string {
    return JSON.stringify({ seq: this.seq, instance: this.instance, event, payload });
  }

  /** Greets a new client, replays what it missed (or tells it to resync), then streams to it. */
  attach(ws: WebSocket, resume: { since?: number; instance?: string }, stillValid: () => Promise<boolean> = async () => true): void {
    const bufferFrom = this.buffer[0]?.seq ?? this.seq + 1;
    const wantsResume = resume.since !== undefined;
    let resync: 'instance_changed' | 'too_old' | 'ahead' | null = null;
    if (wantsResume) {
      if (resume.instance !== undefined && resume.instance !== this.instance) resync = 'instance_changed';
      else if (resume.since! > this.seq) resync = 'ahead';
      else if (resume.since! + 1 < bufferFrom || resume.since! <= this.samplesMissedAfter) resync = 'too_old';
    }
    ws.send(this.control('hello', { resumed: wantsResume && !resync, bufferFrom }));
    if (resync) ws.send(this.control('resync', { reason: resync }));
    else if (wantsResume) for (const s of this.buffer) if (s.seq > resume.since!) ws.send(s.text);
    // Added after the replay, all synchronously: nothing pushed in between can be missed or doubled.
    this.clients.set(ws, stillValid);
    this.watchSamples();
    ws.on('close', () => this.detach(ws));
    ws.on('error', () => this.detach(ws));
  }
}

/** The WebSocket route, authenticated before the upgrade like any API call (no upgrade → plain 401). */
export function liveRoutes(hub: LiveHub, authenticate: (req: FastifyRequest) => Promise<Principal>) {
  return async (app: FastifyInstance): Promise<void> => {
    await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
    app.get(
      LIVE_PATH,
      {
        websocket: true,
        preValidation: async (req) => {
          await authenticate(req);
          const q = liveQuerySchema.safeParse(req.query);
          if (!q.success) throw Object.assign(new Error(`bad live query: ${q.error.issues[0]!.message}`), { statusCode: 400 });
        },
      },
      (socket, req) => {
        // Clients only listen; anything they send is ignored.
        const stillValid = () =>
          authenticate(req).then(
            () => true,
            (err: unknown) => !(err instanceof HttpError && err.statusCode === 401),
          );
        hub.attach(socket, liveQuerySchema.parse(req.query), stillValid);
      },
    );
  };
}
