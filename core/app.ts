// Composition root: configuration → running services, started in order and stopped in reverse
// (alertmanager's app.go pattern). Entry points (watchtower serve, the desktop's core host) only
// load config and call startApp.
import pino, { type Logger } from 'pino';
import { VERSION } from '../shared/version.js';
import { metricHandlers } from './api/metrics.js';
import { hostHandlers } from './api/hosts.js';
import { createIngestServer, createServer } from './api/server.js';
import { authHandlers } from './api/auth.js';
import { LiveHub, liveRoutes } from './api/live.js';
import { LivePublisher } from './api/live-publish.js';
import { dashboardPlugin } from './api/static.js';
import { Auth } from './auth/service.js';
import { Guard } from './auth/guard.js';
import type { LoadedConfig } from './config/load.js';
import { TokenCache } from './ingest/tokens.js';
import { BatchWriter } from './ingest/writer.js';
import { rollupOnce } from './jobs/rollups.js';
import { every } from './jobs/schedule.js';
import { openStore } from './store/index.js';
import { openCoordination } from './bus/index.js';
import { Engine } from './engine/engine.js';
import { AlertingStore } from './store/alerting/store.js';
import { configDocumentHandlers, configHandlers } from './api/alerting-config.js';
import { incidentHandlers } from './api/incidents.js';
import { settingsHandlers } from './api/settings.js';
import { deployHandlers } from './api/deploy.js';
import { DeployService } from './deploy/service.js';
import { loadSecretBox } from './secrets/index.js';
import { hostname } from 'node:os';
import type { Store } from './store/types.js';
import { closeWithin } from './api/shutdown.js';
import { databaseError, listenError } from './startup-errors.js';

const DAY = 24 * 60 * 60 * 1000;

export interface App {
  /** Base URL of the API and dashboard. */
  url: string;
  /** Base URL of the agents' ingest listener (its own address and port). */
  ingestUrl: string;
  /** First start without an owner: the one-time link to the setup page (print it once), else null. */
  setupUrl: string | null;
  /** The token inside setupUrl. */
  setupToken: string | null;
  live: LiveHub;
  auth: Auth;
  store: Store;
  engine: Engine;
  /** The SSH deployer (servers, deploy runs, tunnels). */
  deploy: DeployService;
  log: Logger;
  stop(): Promise<void>;
}

export async function startApp(cfg: LoadedConfig, opts: { log?: Logger; now?: () => number } = {}): Promise<App> {
  const log = opts.log ?? pino({ level: cfg.log.level });
  const now = opts.now ?? Date.now;
  const startedAt = now();
  const instanceId = `${hostname()}:${process.pid}`;
  const cleanups: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const c of cleanups.reverse()) await c().catch((err) => log.error({ err }, 'error while stopping'));
    cleanups.length = 0;
  };

  try {
    const store = await openStore({ url: cfg.databaseUrl, schema: cfg.database.schema }).catch((err: unknown) => {
      throw databaseError(cfg, err);
    });
    cleanups.push(() => store.close());
    log.info({ component: 'store', kind: store.kind, mode: cfg.mode }, 'store open');

    const coordination = await openCoordination({
      ...(cfg.redis.url ? { redisUrl: cfg.redis.url } : {}),
      prefix: cfg.redis.prefix,
      log: log.child({ component: 'bus' }),
    });
    cleanups.push(() => coordination.close());

    const alerting = new AlertingStore(store.sql);
    const clock = { now };
    const engine = new Engine({
      store,
      alerting,
      coordination,
      clock,
      log: log.child({ component: 'engine' }),
      instanceId,
      ...(cfg.http.publicUrl ? { publicUrl: cfg.http.publicUrl } : {}),
    });
    await engine.start();
    cleanups.push(() => engine.stop());

    const live = new LiveHub({ coordination, log: log.child({ component: 'live' }), instanceId });
    await live.start();
    cleanups.push(() => live.stop());
    const livePublisher = new LivePublisher({
      coordination,
      store,
      log: log.child({ component: 'live' }),
      now,
      downAfterIntervals: cfg.hosts.downAfterIntervals,
    });
    cleanups.push(() => livePublisher.settled());

    const rawRetentionMs = cfg.retention.rawDays * DAY;
    const writer = new BatchWriter({
      store,
      maxPendingSamples: cfg.ingest.maxPendingSamples,
      maxSeriesPerHost: cfg.ingest.maxSeriesPerHost,
      concurrency: store.kind === 'postgres' ? 2 : 1,
      log: log.child({ component: 'ingest' }),
      onCommitted: (writes, results) => {
        engine.onCommitted(writes, (i) => results[i]!.duplicate);
        livePublisher.onCommitted(writes, (i) => results[i]!.duplicate);
      },
    });
    cleanups.push(() => writer.flush());

    const jobLog = log.child({ component: 'jobs' });
    const rollups = every(60_000, 'rollups', jobLog, () => rollupOnce(store, now(), rawRetentionMs));
    const retention = every(cfg.retention.pruneEveryMinutes * 60_000, 'retention', jobLog, () => {
      const t = now();
      return store.prune({
        rawBefore: t - rawRetentionMs,
        rollupBefore: t - cfg.retention.rollupDays * DAY,
        eventsBefore: t - cfg.retention.eventDays * DAY,
        batchIdsBefore: t - rawRetentionMs,
      });
    });
    cleanups.push(
      () => rollups.stop(),
      () => retention.stop(),
    );

    const auth = new Auth({ sql: store.sql, meta: store, now, log: log.child({ component: 'auth' }) });
    const guard = new Guard(auth, cfg.http.publicUrl ? { publicUrl: cfg.http.publicUrl } : {});
    const liveHosts = every(5_000, 'live-hosts', jobLog, () => livePublisher.sweep());
    const sessions = every(60 * 60_000, 'sessions', jobLog, () => auth.prune());
    cleanups.push(
      () => liveHosts.stop(),
      () => sessions.stop(),
    );

    const tokens = new TokenCache(store);
    let listenerUrl = ''; // the ingest listener's, known once it listens
    const agentIngestUrl = () => cfg.deploy.ingestUrl || listenerUrl; // what agents are told to post to
    const deploy = new DeployService({
      store,
      box: loadSecretBox({ key: cfg.secrets.key, keyFile: cfg.secrets.keyFile, dataDir: cfg.dataDir }),
      coordination,
      log,
      now,
      ingestUrl: agentIngestUrl,
      ingestListener: () => {
        const u = new URL(listenerUrl);
        return { host: u.hostname, port: Number(u.port) };
      },
      agentIntervalSec: cfg.deploy.agentIntervalSec,
      onTokensChanged: () => tokens.clear(),
      instanceId,
      // One instance: runs left running are its previous process's. Otherwise they are judged by their leases.
      recoverInterruptedRuns: cfg.mode === 'local',
      instanceTimeoutMs: cfg.deploy.instanceTimeoutSec * 1000,
    });
    let accepting = true;
    const server = await createServer({
      log: log.child({ component: 'api' }),
      handlers: {
        health: async () => ({ status: 'ok', version: VERSION, mode: cfg.mode, store: store.kind, uptimeMs: now() - startedAt }),
        ...hostHandlers({ store, tokens, downAfterIntervals: cfg.hosts.downAfterIntervals, now }),
        ...metricHandlers({ store, rawRetentionMs, now }),
        ...configHandlers({ alerting, engine, clock }),
        ...configDocumentHandlers({ alerting, engine, clock }),
        ...incidentHandlers({ alerting, engine, clock }),
        ...settingsHandlers(cfg, store.kind, agentIngestUrl),
        ...deployHandlers(deploy),
        ...authHandlers({ auth, ...(cfg.http.publicUrl ? { publicUrl: cfg.http.publicUrl } : {}) }),
      },
      // The one place every contract procedure is authenticated (open ones only get the Origin check).
      authenticate: async (req, { open, changes }) => {
        if (!open) return guard.authenticate(req, changes);
        if (changes) guard.checkOrigin(req);
        return null;
      },
      plugins: [liveRoutes(live, (req) => guard.authenticate(req, false)), dashboardPlugin()],
      trustProxy: cfg.http.trustProxy,
    });
    const ingestServer = await createIngestServer({
      log: log.child({ component: 'ingest' }),
      ingest: {
        tokens,
        writer,
        limits: { maxBodyBytes: cfg.ingest.maxBodyBytes, maxDecodedBytes: cfg.ingest.maxDecodedBytes },
        rawRetentionMs,
        maxFutureSkewMs: cfg.ingest.maxFutureSkewMs,
        now,
        accepting: () => accepting,
      },
    });
    const ingestUrl = await ingestServer.listen({ host: cfg.ingest.host, port: cfg.ingest.port }).catch((err: unknown) => {
      throw listenError(cfg, 'ingest', err);
    });
    cleanups.push(async () => {
      accepting = false;
      await closeWithin(ingestServer); // stops accepting; in-flight requests finish (and their batches commit)
    });
    listenerUrl = ingestUrl;
    await deploy.start(); // tunnels of installed tunnel-mode servers come back
    cleanups.push(() => deploy.stop());
    const url = await server.listen({ host: cfg.http.host, port: cfg.http.port }).catch((err: unknown) => {
      throw listenError(cfg, 'api', err);
    });
    cleanups.push(() => closeWithin(server));
    log.info({ component: 'api', url, ingestUrl }, 'listening');
    const setupToken = await auth.prepareSetup();
    const setupUrl = setupToken ? `${(cfg.http.publicUrl || url).replace(/\/$/, '')}/setup#token=${setupToken}` : null;
    return { url, ingestUrl, setupUrl, setupToken, live, auth, store, engine, deploy, log, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
