// Tunnel mode: for each tunnel-mode server with an agent, the deployer keeps one SSH connection with
// a remote port forward (127.0.0.1:tunnelPort on the server → our ingest listener), so the control
// plane needs no open port. A dropped connection is retried with backoff (1 s doubling to 30 s);
// the agent buffers on disk meanwhile and replays in order when the tunnel is back.
import { connect } from 'node:net';
import type { Logger } from 'pino';
import type { ServerView } from '../../shared/contract/deploy.js';
import type { DeployContext } from './context.js';
import { openConnection } from './host-run.js';
import type { SshConnection } from './ssh.js';

type State = ServerView['tunnel'];

interface Tunnel {
  state: State;
  conn: SshConnection | null;
  timer: NodeJS.Timeout | null;
  backoffMs: number;
  up: Promise<void> | null;
  wanted: boolean;
}

export class Tunnels {
  private tunnels = new Map<string, Tunnel>();

  constructor(
    private o: {
      ctx: DeployContext;
      /** The local ingest listener, read at each connection (it may move after a restart). */
      ingest: () => { host: string; port: number };
      log: Pick<Logger, 'info' | 'warn'>;
      maxBackoffMs?: number;
    },
  ) {}

  state(serverId: string): State | undefined {
    return this.tunnels.get(serverId)?.state;
  }

  /** Keeps the tunnel up from now on; resolves once it is up (or rejects with the first failure). */
  ensure(serverId: string): Promise<void> {
    let t = this.tunnels.get(serverId);
    if (t && t.wanted && t.state.state === 'up') return Promise.resolve();
    if (!t) {
      t = {
        state: { state: 'connecting', since: this.o.ctx.now(), error: null },
        conn: null,
        timer: null,
        backoffMs: 1000,
        up: null,
        wanted: true,
      };
      this.tunnels.set(serverId, t);
    }
    t.wanted = true;
    if (t.timer) {
      clearTimeout(t.timer); // a retry was pending: try now
      t.timer = null;
    }
    return t.up ?? this.connect(serverId, t);
  }

  drop(serverId: string): void {
    const t = this.tunnels.get(serverId);
    if (!t) return;
    t.wanted = false;
    if (t.timer) clearTimeout(t.timer);
    t.conn?.close();
    this.tunnels.delete(serverId);
  }

  /** At start: every tunnel-mode server with an agent gets its tunnel (failures retry in the background). */
  async resume(): Promise<void> {
    for (const s of await this.o.ctx.store.listServers()) {
      if (s.spec.reach === 'tunnel' && s.installed) this.ensure(s.id).catch(() => {});
    }
  }

  stop(): void {
    for (const id of [...this.tunnels.keys()]) this.drop(id);
  }

  private connect(serverId: string, t: Tunnel): Promise<void> {
    const attempt = (async () => {
      const server = await this.o.ctx.store.getServer(serverId);
      if (!server || server.spec.reach !== 'tunnel' || !server.spec.tunnelPort) throw new Error('not a tunnel-mode server any more');
      const conn = await openConnection(this.o.ctx, server);
      if (!t.wanted) return conn.close();
      try {
        await conn.forwardIn(server.spec.tunnelPort, (ch) => {
          const { host, port } = this.o.ingest();
          const sock = connect(port, host);
          ch.pipe(sock).pipe(ch);
          sock.on('error', () => ch.close());
          ch.on('error', () => sock.destroy());
        });
      } catch (err) {
        conn.close();
        throw err;
      }
      t.conn = conn;
      t.backoffMs = 1000;
      t.state = { state: 'up', since: this.o.ctx.now(), error: null };
      this.o.log.info({ serverId, port: server.spec.tunnelPort }, 'tunnel up');
      conn.onClose((err) => {
        t.conn = null;
        if (!t.wanted) return;
        t.state = { state: 'down', since: this.o.ctx.now(), error: err?.message ?? 'connection closed' };
        this.o.log.warn({ serverId, error: t.state.error }, 'tunnel down; reconnecting');
        this.retry(serverId, t);
      });
    })();
    t.up = attempt;
    attempt.then(
      () => (t.up = null),
      (err: Error) => {
        t.up = null;
        t.state = { state: 'down', since: this.o.ctx.now(), error: err.message };
        this.retry(serverId, t);
      },
    );
    return attempt;
  }

  private retry(serverId: string, t: Tunnel): void {
    if (!t.wanted || t.timer) return;
    const delay = t.backoffMs;
    t.backoffMs = Math.min(t.backoffMs * 2, this.o.maxBackoffMs ?? 30_000);
    t.timer = setTimeout(() => {
      t.timer = null;
      if (!t.wanted) return;
      t.state = { state: 'connecting', since: this.o.ctx.now(), error: t.state.error };
      this.connect(serverId, t).catch(() => {});
    }, delay);
    t.timer.unref();
  }
}
