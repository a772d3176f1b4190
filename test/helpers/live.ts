// A real WebSocket client of the live stream (the ws package), collecting parsed messages.
import WebSocket from 'ws';
import { LIVE_PATH, parseLiveMessage, type LiveMessage } from '../../shared/contract/events.js';
import { waitFor } from './processes.js';

export class LiveClient {
  readonly messages: LiveMessage[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => this.messages.push(parseLiveMessage(String(data))));
    this.closed = new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
  }

  /** Connects; rejects with the HTTP status when the upgrade is refused. */
  static connect(baseUrl: string, headers: Record<string, string>, resume?: { since: number; instance: string }): Promise<LiveClient> {
    const q = resume ? `?since=${resume.since}&instance=${encodeURIComponent(resume.instance)}` : '';
    const ws = new WebSocket(baseUrl.replace(/^http/, 'ws') + LIVE_PATH + q, { headers });
    const client = new LiveClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () =>
          reject(Object.assign(new Error(`upgrade refused: ${res.statusCode} ${body}`), { status: res.statusCode, body })),
        );
      });
      ws.once('error', reject);
    });
  }

  events<E extends LiveMessage['event']>(event: E): Extract<LiveMessage, { event: E }>[] {
    return this.messages.filter((m): m is Extract<LiveMessage, { event: E }> => m.event === event);
  }

  async waitFor<E extends LiveMessage['event']>(
    event: E,
    match: (m: Extract<LiveMessage, { event: E }>) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<Extract<LiveMessage, { event: E }>> {
    await waitFor(`live event ${event}`, () => this.events(event).some(match), timeoutMs);
    return this.events(event).find(match)!;
  }

  /** The last data event's seq (what a client would resume from). */
  get lastSeq(): number {
    return this.messages.filter((m) => m.event !== 'hello' && m.event !== 'resync').at(-1)?.seq ?? this.messages[0]!.seq;
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close();
    await this.closed;
  }
}
